import type { UserEvent } from "./stats.js";

/** The events with `start <= timestamp < end`, oldest first. Throws on a bad interval. */
export declare function generateEvents(
  start: string,
  end: string,
): (UserEvent & { readonly id: string })[];
