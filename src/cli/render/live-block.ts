import type { createLogUpdate } from "log-update";
import type { TextSink } from "./text-sink.js";

/**
 * The block a terminal's live display redraws in place (log-update), loaded on first use: loading
 * log-update costs about 9 ms (its string-width builds an Intl.Segmenter), which a run whose output
 * is not a terminal never needs (bench W11). Until it has loaded, nothing is drawn: the display's
 * timer draws the block on its first tick after that.
 */
export class LiveBlock {
  #log: ReturnType<typeof createLogUpdate> | undefined;
  #done = false;
  /** Resolves once log-update has loaded (tests wait for it before a redraw). */
  readonly ready: Promise<void>;

  constructor(out: TextSink) {
    // Should it fail to load, the display stays without its block: lines are still written.
    this.ready = import("log-update").then(
      ({ createLogUpdate }) => {
        if (!this.#done) this.#log = createLogUpdate(sinkAsStream(out), { showCursor: true });
      },
      () => undefined,
    );
  }

  /** Redraws the block; false when log-update has not loaded yet (nothing was drawn). */
  draw(text: string): boolean {
    this.#log?.(text);
    return this.#log !== undefined;
  }

  /** Erases the block, so that permanent lines can be written where it was. */
  clear(): void {
    this.#log?.clear();
  }

  /** Leaves the block as drawn and stops: later output goes below it. */
  done(): void {
    this.#done = true;
    this.#log?.done();
  }
}

/**
 * Hack: log-update's type wants a `NodeJS.WritableStream`, yet it only calls `write` and reads
 * `columns`/`rows`; this adapter lets any TextSink stand in (a fake in tests, stdout in the CLI).
 */
export function sinkAsStream(out: TextSink): NodeJS.WritableStream {
  const adapter = {
    write: (text: string) => out.write(text),
    // A terminal that reports 0x0 (under `script`, some CI) would make log-update cut every line.
    get columns() {
      return out.columns || undefined;
    },
    get rows() {
      return out.rows || undefined;
    },
  };
  return adapter as unknown as NodeJS.WritableStream;
}
