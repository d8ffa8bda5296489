import type { BackfillRange } from "../../core/backfill-range.js";
import type { BackfillStep } from "../../core/backfill.js";
import type { Dag } from "../../core/dag.js";
import { formatDuration } from "../../core/duration.js";
import type { DagRun } from "../../core/run.js";
import { formatInZone } from "../../core/timetable-zone.js";
import type { BackfillResult } from "../../ops/run-backfill.js";
import { toStatusJson } from "../output/status-json.js";
import { paint, type ColorOption } from "./colors.js";
import { renderRunsTable } from "./summary.js";

/** One stderr note per reason an interval of the requested range was left out. */
export function renderLeftOutNotes(dag: Dag, range: BackfillRange): string {
  const notes = [
    range.beforeDagStart > 0 &&
      `${range.beforeDagStart} interval(s) before the DAG's start (${zonedText(dag.start, dag.timezone)}) left out`,
    range.afterDagEnd > 0 &&
      `${range.afterDagEnd} interval(s) after the DAG's end (${zonedText(dag.end, dag.timezone)}) left out`,
    range.notEnded > 0 &&
      `${range.notEnded} interval(s) not ended yet left out (a run is due once its interval ends)`,
  ];
  return notes
    .filter(Boolean)
    .map((note) => `flow: note: ${note}\n`)
    .join("");
}

function zonedText(iso: string | undefined, timezone: string): string {
  return iso === undefined ? "-" : formatInZone(new Date(iso), timezone);
}

/** `backfill etl (@daily, UTC): 5 run(s): 3 create, 2 skip`: what the plan does, counted. */
export function renderPlanHeader(dag: Dag, steps: readonly BackfillStep[]): string {
  const counts = new Map<string, number>();
  for (const step of steps) counts.set(step.action, (counts.get(step.action) ?? 0) + 1);
  const summary = ["create", "rerun", "resume", "skip"]
    .filter((action) => counts.has(action))
    .map((action) => `${counts.get(action)} ${action}`)
    .join(", ");
  return `backfill ${dag.id} (${dag.schedule}, ${dag.timezone}): ${steps.length} run(s): ${summary}`;
}

/** The line before executing: the header, then how many runs execute and how many at once. */
export function renderRunHeader(
  dag: Dag,
  plan: { steps: readonly BackfillStep[]; toRun: number; runsAtOnce: number },
): string {
  const doing =
    plan.toRun === 0
      ? "nothing to run"
      : `executing ${plan.toRun}, up to ${plan.runsAtOnce} at once`;
  return `${renderPlanHeader(dag, plan.steps)}; ${doing}\n`;
}

/** The dry run: the header, then `logical date  [interval)  action  run id`, one line per run. */
export function renderDryRun(dag: Dag, steps: readonly BackfillStep[]): string {
  const zone = dag.timezone;
  const actions = steps.map((step) =>
    step.existingState === null ? step.action : `${step.action} (${step.existingState})`,
  );
  const width = Math.max(...actions.map((action) => action.length));
  const lines = steps.map((step, i) =>
    [
      formatInZone(step.interval.start, zone),
      `[${formatInZone(step.interval.start, zone)}, ${formatInZone(step.interval.end, zone)})`,
      actions[i]!.padEnd(width),
      step.runId,
    ].join("  "),
  );
  return `${[`${renderPlanHeader(dag, steps)} (dry run: nothing written)`, ...lines].join("\n")}\n`;
}

/** The runs table and one line: states of the runs in the range, what this invocation did. */
export function renderBackfillEnd(
  result: BackfillResult,
  elapsed: number,
  color: ColorOption,
): string {
  const { runs, outcome } = result;
  const byState = new Map<string, number>();
  for (const run of runs) byState.set(run.state, (byState.get(run.state) ?? 0) + 1);
  const states = (["success", "failed", "queued", "running"] as const)
    .filter((state) => byState.has(state))
    .map((state) => paint(`${byState.get(state)} ${state}`, state, color))
    .join(", ");
  const interrupted = outcome.runs.filter((run) => run.state === "queued").length;
  const done = [
    `executed ${outcome.runs.length - interrupted}`,
    ...(interrupted > 0 ? [`${interrupted} interrupted`] : []),
    ...(outcome.notStarted > 0 ? [`${outcome.notStarted} not started`] : []),
  ].join(", ");
  const line = `backfill: ${runs.length} run(s): ${states}; ${done} in ${formatDuration(elapsed)}`;
  // Counts first; then only the runs that did not succeed (a 60-day backfill with one failure
  // must not bury it in 60 rows), and where to look next.
  const notSucceeded = runs.filter((run) => run.state !== "success");
  if (notSucceeded.length === 0) return `\n${line}\n`;
  const dagId = notSucceeded[0]!.dag_id;
  const look =
    `see them with flow tree ${dagId} --runs ${Math.min(runs.length, 14)}, ` +
    `or one with flow tree ${dagId} --run <run_id>`;
  return `\n${line}\nnot succeeded:\n${renderRunsTable(notSucceeded, color)}\n${look}\n`;
}

/** `--json`: the plan (run id, dates, action) and, after executing, the runs in the status shape. */
export function renderBackfillJson(
  dag: Dag,
  steps: readonly BackfillStep[],
  runs: readonly DagRun[],
  dryRun: boolean,
): string {
  const json = {
    dag_id: dag.id,
    dry_run: dryRun,
    plan: steps.map((step) => ({
      run_id: step.runId,
      logical_date: step.interval.start.toISOString(),
      data_interval_start: step.interval.start.toISOString(),
      data_interval_end: step.interval.end.toISOString(),
      action: step.action,
      existing_state: step.existingState,
    })),
    runs: toStatusJson(dag.id, runs).runs,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
