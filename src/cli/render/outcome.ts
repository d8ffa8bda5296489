import { formatDuration } from "../../core/duration.js";
import type { TaskInstance } from "../../core/run.js";
import { dim, paint, type ColorOption } from "./colors.js";
import { firstLine, formatTimestamp, formatTries } from "./format.js";

/**
 * How a try or a task ended, for progress lines: `success in 1.2s`,
 * `failed in 310ms (try 3/3): exit code 3`, `up_for_retry after 310ms (try 1/3): exit code 1, next try at ...`,
 * `upstream_failed: upstream task "extract" failed`.
 */
export function describeOutcome(ti: TaskInstance, color: ColorOption): string {
  const retrying = ti.state === "up_for_retry";
  const rescheduled = ti.state === "up_for_reschedule";
  const took =
    ti.duration_ms === null
      ? ""
      : ` ${retrying || rescheduled ? "after" : "in"} ${formatDuration(ti.duration_ms)}`;
  const tries = formatTries(ti);
  const reason = ti.reason === null || ti.state === "success" ? "" : firstLine(ti.reason);
  const next =
    ti.next_try_at === null || !(retrying || rescheduled)
      ? ""
      : `next ${retrying ? "try" : "poke"} at ${formatTimestamp(ti.next_try_at)}`;
  const why = [reason, next].filter((part) => part !== "").join(", ");
  return `${paint(ti.state, ti.state, color)}${took}${tries === "" ? "" : ` (${tries})`}${why === "" ? "" : dim(`: ${why}`, color)}`;
}

/**
 * `running (try 1)`: what a progress line says when a try starts; `queued (try 1)` when it waits
 * for a worker, `running on w1 (try 1)` once a worker runs it.
 */
export function describeStart(
  tryNumber: number,
  color: ColorOption,
  where: { readonly queued?: boolean; readonly host?: string } = {},
): string {
  const state = where.queued ? "queued" : "running";
  const on = where.host === undefined ? "" : ` on ${where.host}`;
  return `${paint(state, state, color)}${on} (try ${tryNumber})`;
}
