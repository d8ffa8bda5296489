import type { QueueJobResult } from "../../queue/protocol.js";

/** A job's return value as the worker's report, or why it is not one. */
export function parseResult(value: unknown): QueueJobResult | string {
  const parsed: unknown = typeof value === "string" ? safeParse(value) : value;
  if (parsed && typeof parsed === "object" && "outcome" in parsed) return parsed as QueueJobResult;
  return `the worker returned no outcome (${JSON.stringify(value)?.slice(0, 80)})`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits for `promise` at most `ms`, whatever it does. */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}
