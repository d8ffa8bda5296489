import type { TaskInstance } from "../../core/run.js";

/**
 * `try 2/3` once a task can or did try more than once; empty for a single-try task. Tries an
 * interruption stopped are named (`try 2/2, 1 interrupted`), so that resuming a task with no
 * retries does not read as a retry used up.
 */
export function formatTries(
  ti: Pick<TaskInstance, "try_number" | "max_tries" | "interrupted_tries">,
): string {
  if (ti.max_tries <= 1 && ti.try_number <= 1) return "";
  return `try ${formatTryCount(ti)}`;
}

/** `2/3`, or `2/2, 1 interrupted`: tries started of tries allowed. */
export function formatTryCount(
  ti: Pick<TaskInstance, "try_number" | "max_tries" | "interrupted_tries">,
): string {
  const interrupted = ti.interrupted_tries ?? 0;
  const count = `${ti.try_number}/${ti.max_tries}`;
  return interrupted === 0 ? count : `${count}, ${interrupted} interrupted`;
}

/** `2026-11-24T08:42:50Z`: UTC, second precision, as Airflow's CLI prints dates. */
export function formatTimestamp(at: Date | string): string {
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** First non-empty line of a reason, trimmed: reasons may carry a stderr tail we keep out of one-line views. */
export function firstLine(text: string): string {
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed !== "") return trimmed;
  }
  return "";
}

/**
 * ` (lost)` after the state of a run, or of a try, whose flow process died and that no command
 * has recovered yet (ShownRun.lost): the state and end shown are the recovery's. Else empty.
 */
export function lostSuffix(lost: boolean | undefined): string {
  return lost === true ? " (lost)" : "";
}

/** Milliseconds between two ISO timestamps, or null when either is missing or unreadable. */
export function elapsedMs(start: string | null, end: string | Date | null): number | null {
  if (start === null || end === null) return null;
  const ms = (typeof end === "string" ? Date.parse(end) : end.getTime()) - Date.parse(start);
  return Number.isNaN(ms) ? null : Math.max(0, ms);
}

/**
 * `1,234`: counts that stay readable when runs have thousands of tasks. By hand rather than
 * `toLocaleString("en-US")`, whose first call sets up ICU's number formatting (about 3 ms of
 * every `flow run`, and 10 µs a call after that: the progress lines call it per task).
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}

/**
 * `extract_customer_…_warehouse`: cut from the middle, where long ids usually repeat themselves
 * least, so both the prefix and the distinguishing suffix stay readable. Assumes one column per
 * character (DAG and task ids are ASCII).
 */
export function shortenMiddle(text: string, width: number, ellipsis = "…"): string {
  if (text.length <= width) return text;
  if (width <= ellipsis.length) return ellipsis.slice(0, Math.max(0, width));
  const keep = width - ellipsis.length;
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + ellipsis + text.slice(text.length - (keep - head));
}

/** Cuts `text` to `width` characters, ending with an ellipsis when anything was cut. */
export function shortenEnd(text: string, width: number, ellipsis = "…"): string {
  if (text.length <= width) return text;
  if (width <= ellipsis.length) return ellipsis.slice(0, Math.max(0, width));
  return text.slice(0, width - ellipsis.length) + ellipsis;
}
