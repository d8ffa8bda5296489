import { existsSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import type { BackfillStep } from "../../core/backfill.js";
import type { Dag } from "../../core/dag.js";
import { timetableOf } from "../../core/dag-timetable.js";
import { formatDuration } from "../../core/duration.js";
import type { DagRun } from "../../core/run.js";
import { formatInZone, parseZonedDate } from "../../core/timetable-zone.js";
import { EXIT, UsageError } from "../../errors.js";
import { executeBackfill, planBackfillRuns, type BackfillOutcome } from "../../runner/backfill.js";
import { backfillRange, type BackfillRange } from "../../runner/backfill-range.js";
import { MemoryStateStore } from "../../store/memory-store.js";
import { LAYOUT_MARKER } from "../../store/state-paths.js";
import type { StateStore } from "../../store/state-store.js";
import { stateDir, type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadDag } from "../../ops/load-dag.js";
import { warnImportErrors } from "../import-warnings.js";
import { toStatusJson } from "../output/status-json.js";
import { GRACE_OPTION, parseDate, parseGrace, parsePositiveInt } from "../parse.js";
import {
  LiveBackfillProgress,
  PlainBackfillProgress,
  type BackfillProgress,
} from "../render/backfill-progress.js";
import { paint } from "../render/colors.js";
import { renderRunsTable } from "../render/summary.js";
import { openStore } from "../../ops/open-store.js";
import { withEngine } from "../session.js";

interface BackfillFlags {
  start: string;
  end: string;
  maxActiveRuns?: string;
  reverse?: boolean;
  rerunFailed?: boolean;
  reset?: boolean;
  dryRun?: boolean;
  parallelism?: string;
  grace?: string;
  json?: boolean;
}

/** `flow backfill <dag> --start --end`: a run per interval in the range, executed here. */
export function makeBackfillCommand(context: CliContext): Command {
  return new Command("backfill")
    .description(
      "create and execute a backfill run for every interval whose logical date lies in [start, end]",
    )
    .argument("<dag>", "DAG id (it must have a schedule)")
    .requiredOption("--start <date>", "first logical date, inclusive (YYYY-MM-DD or ISO instant)")
    .requiredOption("--end <date>", "last logical date, inclusive")
    .option("--max-active-runs <n>", "runs executing at once (default: the DAG's maxActiveRuns)")
    .option("--reverse", "newest interval first")
    .option("--rerun-failed", "clear the failed and upstream_failed tasks of failed runs, run them")
    .option("--reset", "clear every task of every existing run in the range and run it again")
    .option("--dry-run", "print the plan (one line per run) and write nothing")
    .option("--parallelism <n>", "tasks running at once across all runs (default 32)")
    .option(...GRACE_OPTION)
    .option("--json", "print the plan and the runs as JSON instead of progress and tables")
    .addHelpText(
      "after",
      `
Dates without an offset are read in the DAG's timezone. Intervals before the DAG's start, after
its end, or not yet ended are left out (a note says how many). Existing runs: success is left
alone, failed is left alone unless --rerun-failed or --reset, queued or interrupted is resumed.
Ctrl-C stops the running tasks (they run again later) and exits 130; running the same command
again resumes the backfill. Exit 1 when a run in the range is failed at the end.

Examples:
  flow backfill user_events --start 2026-01-01 --end 2026-01-31 --dry-run
  flow backfill user_events --start 2026-01-01 --end 2026-12-31 --max-active-runs 4
  flow backfill user_events --start 2026-01-01 --end 2026-01-31 --rerun-failed
  flow backfill user_events --start 2026-01-01 --end 2026-01-07 --reset --reverse`,
    )
    .action(async (dagId: string, flags: BackfillFlags, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      checkOrder(parseDate("--start", flags.start), parseDate("--end", flags.end), flags);
      const maxActiveRuns =
        flags.maxActiveRuns === undefined
          ? undefined
          : parsePositiveInt("--max-active-runs", flags.maxActiveRuns);
      const parallelism =
        flags.parallelism === undefined
          ? undefined
          : parsePositiveInt("--parallelism", flags.parallelism);
      const graceMs = parseGrace(flags.grace);

      const { pipelines, loaded } = await loadDag(workspaceOf(context, global), dagId);
      warnImportErrors(context, pipelines);
      const { dag } = loaded;
      const timetable = timetableOf(dag);
      if (timetable === null) {
        throw new UsageError(
          `dag "${dagId}" has no schedule: nothing to backfill; use flow run ${dagId} --date <date>`,
        );
      }
      const start = zoned("--start", flags.start, dag.timezone);
      const end = zoned("--end", flags.end, dag.timezone);
      checkOrder(start, end, flags);
      const range = backfillRange(timetable, {
        start,
        end,
        dagStart: dag.start === undefined ? null : new Date(dag.start),
        dagEnd: dag.end === undefined ? null : new Date(dag.end),
        now: context.now(),
      });
      noteLeftOut(context, dag, range);
      if (range.intervals.length === 0) {
        throw new UsageError(
          `dag "${dagId}" has no complete interval with a logical date in [${flags.start}, ${flags.end}] (schedule ${dag.schedule}, ${dag.timezone})`,
          { hint: `flow next ${dagId} shows the schedule's next runs` },
        );
      }

      const pastTask = [...dag.tasks.values()].find((task) => task.dependsOnPast);
      const atOnce = maxActiveRuns ?? dag.maxActiveRuns;
      if (flags.reverse && pastTask && atOnce < range.intervals.length) {
        // Newest first, the older runs a dependsOnPast task waits for would never start.
        throw new UsageError(
          `--reverse cannot backfill dag "${dagId}": task "${pastTask.id}" depends on past, so each run waits for the one before it`,
          {
            hint: `drop --reverse, or allow every run at once (--max-active-runs ${range.intervals.length})`,
          },
        );
      }
      const options = {
        rerunFailed: flags.rerunFailed ?? false,
        reset: flags.reset ?? false,
        reverse: flags.reverse ?? false,
        clock: () => context.now(),
      };
      if (flags.dryRun) {
        // A state dir that does not exist yet has no runs; opening it would create it.
        const marker = join(stateDir(context, global), LAYOUT_MARKER);
        const store: StateStore = existsSync(marker)
          ? await openStore(workspaceOf(context, global))
          : new MemoryStateStore();
        const steps = await planBackfillRuns(store, loaded, range.intervals, {
          ...options,
          dryRun: true,
        });
        if (flags.json) printJson(context, dag, steps, [], true);
        else context.stdout.write(renderPlan(dag, steps));
        return;
      }

      const store = await openStore(workspaceOf(context, global));
      const steps = await planBackfillRuns(store, loaded, range.intervals, options);
      const runsAtOnce = maxActiveRuns ?? dag.maxActiveRuns;
      const toRun = steps.filter((step) => step.action !== "skip").length;
      if (!flags.json) {
        const doing =
          toRun === 0 ? "nothing to run" : `executing ${toRun}, up to ${runsAtOnce} at once`;
        context.stdout.write(`${planHeader(dag, steps)}; ${doing}\n`);
      }
      const began = Date.now();
      let outcome: BackfillOutcome = { runs: [], notStarted: 0 };
      const finish = async (): Promise<void> => {
        const runs = await runsOfPlan(store, dag.id, steps);
        if (flags.json) printJson(context, dag, steps, runs, false);
        else context.stdout.write(renderEnd(context, runs, outcome, Date.now() - began));
        if (runs.some((run) => run.state === "failed")) context.result.exitCode = EXIT.runFailed;
      };
      if (toRun === 0) return finish();
      await withEngine(
        context,
        store,
        pipelines,
        { ...(parallelism && { parallelism }), ...(graceMs !== undefined && { graceMs }) },
        async (engine, { signal, drain }) => {
          const progress = flags.json ? undefined : makeProgress(context, toRun);
          try {
            outcome = await executeBackfill({
              engine,
              loaded,
              steps,
              maxActiveRuns: runsAtOnce,
              reset: options.reset,
              clock: options.clock,
              signal,
              drain,
              ...(progress && {
                observer: {
                  // Wall-clock times on screen, even when FLOW_NOW pins "now" for the plan.
                  runStarted: () => progress.runStarted(new Date()),
                  runFinished: (_step, run) => progress.runFinished(run, new Date()),
                },
              }),
            });
          } finally {
            progress?.close();
          }
          await finish();
        },
      );
    });
}

// `--end` before `--start` is a usage error, found before anything is loaded or written.
function checkOrder(start: Date, end: Date, flags: BackfillFlags): void {
  if (end < start) throw new UsageError(`--end ${flags.end} is before --start ${flags.start}`);
}

// A date without an offset means wall time in the DAG's timezone (midnight local for a day).
function zoned(flag: string, value: string, timezone: string): Date {
  return parseZonedDate(value, timezone) ?? parseDate(flag, value);
}

// One stderr note per reason an interval of the requested range was left out.
function noteLeftOut(context: CliContext, dag: Dag, range: BackfillRange): void {
  const notes = [
    range.beforeDagStart > 0 &&
      `${range.beforeDagStart} interval(s) before the DAG's start (${zonedText(dag.start, dag.timezone)}) left out`,
    range.afterDagEnd > 0 &&
      `${range.afterDagEnd} interval(s) after the DAG's end (${zonedText(dag.end, dag.timezone)}) left out`,
    range.notEnded > 0 &&
      `${range.notEnded} interval(s) not ended yet left out (a run is due once its interval ends)`,
  ];
  for (const note of notes) if (note) context.stderr.write(`flow: note: ${note}\n`);
}

function zonedText(iso: string | undefined, timezone: string): string {
  return iso === undefined ? "-" : formatInZone(new Date(iso), timezone);
}

// `backfill etl (@daily, UTC): 5 run(s): 3 create, 2 skip`: what the plan does, counted.
function planHeader(dag: Dag, steps: readonly BackfillStep[]): string {
  const counts = new Map<string, number>();
  for (const step of steps) counts.set(step.action, (counts.get(step.action) ?? 0) + 1);
  const summary = ["create", "rerun", "resume", "skip"]
    .filter((action) => counts.has(action))
    .map((action) => `${counts.get(action)} ${action}`)
    .join(", ");
  return `backfill ${dag.id} (${dag.schedule}, ${dag.timezone}): ${steps.length} run(s): ${summary}`;
}

// The dry run: the header, then `logical date  [interval)  action  run id`, one line per run.
function renderPlan(dag: Dag, steps: readonly BackfillStep[]): string {
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
  return `${[`${planHeader(dag, steps)} (dry run: nothing written)`, ...lines].join("\n")}\n`;
}

function makeProgress(context: CliContext, total: number): BackfillProgress {
  const options = { total, color: context.color };
  return context.interactive
    ? new LiveBackfillProgress(context.stdout, options)
    : new PlainBackfillProgress(context.stdout, options);
}

// The stored runs of the plan, oldest first, as they are now.
async function runsOfPlan(
  store: StateStore,
  dagId: string,
  steps: readonly BackfillStep[],
): Promise<DagRun[]> {
  // By logical date: a run another process created for a date meanwhile (a scheduled twin) is
  // the run of that interval too.
  const dates = new Set(steps.map((step) => step.interval.start.toISOString()));
  return (await store.listRuns(dagId)).filter(
    (run) => run.run_type !== "manual" && dates.has(run.logical_date),
  );
}

// The runs table and one line: states of the runs in the range, what this invocation did.
function renderEnd(
  context: CliContext,
  runs: readonly DagRun[],
  outcome: BackfillOutcome,
  elapsed: number,
): string {
  const color = context.color;
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
  return `\n${renderRunsTable(runs, color)}\n${line}\n`;
}

// `--json`: the plan (run id, dates, action) and, after executing, the runs in the status shape.
function printJson(
  context: CliContext,
  dag: Dag,
  steps: readonly BackfillStep[],
  runs: readonly DagRun[],
  dryRun: boolean,
): void {
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
  context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}
