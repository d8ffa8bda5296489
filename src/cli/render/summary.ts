import { formatDuration } from "../../core/duration.js";
import type { ShownRun } from "../../core/lost-run.js";
import type { TaskInstance } from "../../core/run.js";
import type { RunState } from "../../core/states.js";
import { dim, formatState, paint, type ColorOption } from "./colors.js";
import { countTaskStates, formatCounts } from "./counts.js";
import {
  elapsedMs,
  firstLine,
  formatCount,
  formatTimestamp,
  formatTryCount,
  lostSuffix,
} from "./format.js";
import { makeTable, orDash } from "./table.js";

export interface SummaryOptions {
  readonly unicode?: boolean;
  /**
   * Most task rows to print. Past it, success rows go first (they say least), then the rest is
   * cut; a line says how many were left out. Default 100.
   */
  readonly maxRows?: number;
  /** Used for the elapsed time of a run that has not ended. */
  readonly now?: Date;
}

// Reasons can be a whole stderr tail; the table shows the start and `flow logs` has the rest.
const REASON_WIDTH = 60;

/**
 * End-of-run summary: a table of the run's task instances (task, state, tries, duration, and the
 * reason when any task has one), then one line with the run's state and the counts per state.
 */
export function renderSummary(
  run: ShownRun,
  color: ColorOption,
  options: SummaryOptions = {},
): string {
  const all = Object.values(run.tasks);
  const { shown, hiddenSuccess, hiddenOther } = pickRows(all, options.maxRows ?? 100);
  const withReason = shown.some(hasReason);
  const table = makeTable(
    ["task", "state", "tries", "duration", ...(withReason ? ["reason"] : [])],
    {
      color,
      unicode: options.unicode,
    },
  );
  for (const ti of shown) {
    table.push([
      ti.task_id,
      formatState(ti.state, color, options.unicode) +
        lostSuffix(run.lost?.tasks.includes(ti.task_id)),
      ti.try_number === 0 ? "-" : formatTryCount(ti),
      ti.duration_ms === null ? "-" : formatDuration(ti.duration_ms),
      ...(withReason
        ? [hasReason(ti) ? dim(truncate(firstLine(ti.reason!), REASON_WIDTH), color) : ""]
        : []),
    ]);
  }
  const lines = all.length === 0 ? [] : [table.toString()];
  const hidden = [
    hiddenSuccess > 0 ? `${formatCount(hiddenSuccess)} success` : "",
    hiddenOther > 0 ? `${formatCount(hiddenOther)} other` : "",
  ].filter((part) => part !== "");
  if (hidden.length > 0) lines.push(dim(`(${hidden.join(" and ")} task rows not shown)`, color));
  lines.push(formatRunLine(run, color, options.now));
  return lines.join("\n");
}

/**
 * `run manual__... success in 3.2s: 5 success, 1 failed, 2 upstream_failed`; a run whose flow
 * process died reads `queued (lost) after 3.2s`, timed up to when that process was last seen.
 */
export function formatRunLine(run: ShownRun, color: ColorOption, now?: Date): string {
  const ms = elapsedMs(run.start, runEnd(run, now));
  const word = run.lost ? "after" : run.end === null ? "for" : "in";
  const took = ms === null ? "" : ` ${word} ${formatDuration(ms)}`;
  const counts = formatCounts(countTaskStates(Object.values(run.tasks)), color);
  const reason = run.reason === null ? "" : ` (${firstLine(run.reason)})`;
  const state = paint(run.state, run.state, color) + lostSuffix(run.lost !== undefined);
  return `run ${run.run_id} ${state}${took}${counts === "" ? "" : `: ${counts}`}${reason}`;
}

// Where a run's duration ends: its end; for a lost run still queued, when its process was last
// seen (fixed, so it does not grow); for a running one, `now` when given.
function runEnd(run: ShownRun, now: Date | undefined): string | Date | null {
  return run.end ?? run.lost?.at ?? now ?? null;
}

/** The rows to print within `maxRows`, keeping failures and retries over successes. */
function pickRows(
  all: readonly TaskInstance[],
  maxRows: number,
): { shown: TaskInstance[]; hiddenSuccess: number; hiddenOther: number } {
  if (all.length <= maxRows) return { shown: [...all], hiddenSuccess: 0, hiddenOther: 0 };
  const successes = all.filter((ti) => ti.state === "success").length;
  const others = all.length - successes;
  const successRoom = Math.max(0, maxRows - others);
  let successLeft = successRoom;
  let otherLeft = maxRows;
  const shown = all.filter((ti) => (ti.state === "success" ? successLeft-- > 0 : otherLeft-- > 0));
  return {
    shown,
    hiddenSuccess: successes - Math.min(successes, successRoom),
    hiddenOther: Math.max(0, others - maxRows),
  };
}

/** States whose reason explains something the user will want to act on. */
function hasReason(ti: TaskInstance): boolean {
  if (ti.reason === null || firstLine(ti.reason) === "") return false;
  return (
    ti.state === "failed" ||
    ti.state === "upstream_failed" ||
    ti.state === "skipped" ||
    ti.state === "up_for_retry" ||
    ti.state === "up_for_reschedule"
  );
}

/** Cuts `text` to `width` characters with an ellipsis. */
function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** A list of runs, oldest first as given: run id, type, logical date, state, start, duration. */
export function renderRunsTable(
  runs: readonly ShownRun[],
  color: ColorOption,
  options: { readonly unicode?: boolean; readonly now?: Date } = {},
): string {
  const table = makeTable(["run id", "type", "logical date", "state", "start", "duration"], {
    color,
    ...options,
  });
  for (const run of runs) {
    const ms = elapsedMs(run.start, runEnd(run, options.now));
    table.push([
      run.run_id,
      run.run_type,
      formatTimestamp(run.logical_date),
      formatState(run.state, color, options.unicode) + lostSuffix(run.lost !== undefined),
      run.start === null ? "-" : formatTimestamp(run.start),
      ms === null ? "-" : formatDuration(ms),
    ]);
  }
  return table.toString();
}

/** One row of `flow list`. */
export interface DagListRow {
  readonly dagId: string;
  /** As written in the pipeline; null for a DAG that only runs when triggered. */
  readonly schedule: string | null;
  readonly tasks: number;
  /** Run id of the newest run, or null when it never ran. */
  readonly lastRun: string | null;
  readonly lastState: RunState | null;
  /** The newest run's flow process died and no command has recovered the run yet. */
  readonly lastLost?: boolean;
  readonly file: string;
}

/** The table `flow list` prints: dag id, schedule, tasks, last run, last state, file. */
export function renderDagsTable(
  rows: readonly DagListRow[],
  color: ColorOption,
  options: { readonly unicode?: boolean } = {},
): string {
  const table = makeTable(["dag id", "schedule", "tasks", "last run", "last state", "file"], {
    color,
    ...options,
  });
  for (const row of rows) {
    table.push([
      row.dagId,
      // Airflow's `dags list` prints None for an unscheduled DAG; users know the word.
      row.schedule ?? "None",
      { content: formatCount(row.tasks), hAlign: "right" },
      orDash(row.lastRun),
      row.lastState === null
        ? "-"
        : formatState(row.lastState, color, options.unicode) + lostSuffix(row.lastLost),
      row.file,
    ]);
  }
  return table.toString();
}
