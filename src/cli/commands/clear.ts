import { Command } from "commander";
import type { ClearSelection } from "../../core/clear.js";
import type { DagRun } from "../../core/run.js";
import { UsageError } from "../../errors.js";
import { recoverLostRuns } from "../../runner/recover.js";
import {
  closeAll,
  countInstances,
  openAll,
  planClear,
  renderClearPlan,
  runsInRange,
  writeClear,
  type DateRange,
  type RunClear,
} from "../clear-plan.js";
import { canAsk, confirm } from "../confirm.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { findRun } from "../../ops/find-run.js";
import { loadDag } from "../../ops/load-dag.js";
import { parseDate } from "../parse.js";
import { openStore } from "../../ops/open-store.js";

interface ClearOptions {
  run?: string;
  start?: string;
  end?: string;
  task?: string;
  onlyFailed?: boolean;
  downstream?: boolean;
  upstream?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** `flow clear <dag>`: reset task instances so that they run again (Airflow's `tasks clear`). */
export function makeClearCommand(context: CliContext): Command {
  return new Command("clear")
    .description(
      "reset task instances to no state (retries restored, earlier logs kept) so that they run again",
    )
    .argument("<dag>", "DAG id")
    .option("--run <run_id>", "only this run")
    .option("--start <date>", "only runs whose logical date is at or after this date")
    .option("--end <date>", "only runs whose logical date is at or before this date")
    .option("--task <regex>", "only tasks whose id matches this regular expression")
    .option("--only-failed", "only failed and upstream_failed task instances")
    .option("--downstream", "also every task downstream of the matched tasks")
    .option("--upstream", "also every task upstream of the matched tasks")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option("--dry-run", "print what would be cleared and change nothing")
    .addHelpText(
      "after",
      `
Examples:
  flow clear etl --run manual__2026-01-05T00:00:00+00:00 --only-failed
  flow clear etl --task '^transform$' --downstream --start 2026-01-01 --end 2026-01-07
  flow clear etl --only-failed --yes && flow run etl --run <run_id>
  flow clear etl --task load --dry-run

Without --run, --start or --end every run of the DAG is considered. Cleared runs go back to
queued: execute them with flow run <dag> --run <run_id>, or let the scheduler pick them up.`,
    )
    .action(async (dagId: string, options: ClearOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const selection = parseSelection(options);
      const range = parseRange(options);
      const { loaded } = await loadDag(workspaceOf(context, global), dagId);
      const { dag } = loaded;
      const store = await openStore(workspaceOf(context, global));
      // Recovering a run whose flow process died writes, so a dry run reads the runs as stored.
      if (!options.dryRun) await recoverLostRuns(store, loaded, () => context.now());
      const runs: DagRun[] =
        options.run !== undefined
          ? [await findRun(store, dagId, options.run)]
          : runsInRange(await store.listRuns(dagId), range);
      const seen = planClear(dag, runs, selection);
      if (seen.length === 0) {
        context.stdout.write(`nothing to clear: no task instance of dag "${dagId}" matches\n`);
        return;
      }
      if (options.dryRun) {
        context.stdout.write(`${renderClearPlan(seen, context.color)}\n`);
        context.stdout.write(`dry run: would clear ${describe(seen)}; nothing changed\n`);
        return;
      }
      if (!options.yes && !canAsk()) {
        context.stdout.write(`${renderClearPlan(seen, context.color)}\n`);
        throw new UsageError(
          `not clearing ${describe(seen)} without confirmation: stdin is not a terminal`,
          { hint: "pass --yes to clear them, or --dry-run to only list them" },
        );
      }
      // Every run is taken before the first write: a run executed by a live process is a
      // LockError and nothing is cleared anywhere.
      const writers = await openAll(
        store,
        dagId,
        seen.map((entry) => entry.run.run_id),
      );
      let cleared: RunClear[] = [];
      try {
        // Read again under the locks: what is printed and confirmed is what gets cleared.
        const plan = planClear(
          dag,
          writers.map((writer) => writer.run),
          selection,
        );
        if (plan.length === 0) {
          context.stdout.write(`nothing to clear: no task instance of dag "${dagId}" matches\n`);
          return;
        }
        context.stdout.write(`${renderClearPlan(plan, context.color)}\n`);
        if (
          !options.yes &&
          !(await confirm(`clear ${describe(plan)}?`, { output: context.stderr }))
        ) {
          context.stdout.write("cancelled: nothing cleared\n");
          return;
        }
        for (const entry of plan) {
          const writer = writers.find((w) => w.run.run_id === entry.run.run_id)!;
          writeClear(dag, writer, entry.taskIds, context.now());
        }
        cleared = plan;
      } finally {
        await closeAll(writers);
      }
      if (cleared.length === 0) return;
      context.stdout.write(`cleared ${describe(cleared)}; ${nextStep(dagId, cleared)}\n`);
    });
}

// The selection flags, with the regex checked before anything is read.
function parseSelection(options: ClearOptions): ClearSelection {
  let taskPattern: RegExp | undefined;
  if (options.task !== undefined) {
    try {
      taskPattern = new RegExp(options.task);
    } catch (error) {
      throw new UsageError(
        `--task "${options.task}" is not a valid regular expression: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return {
    ...(taskPattern && { taskPattern }),
    ...(options.onlyFailed && { onlyFailed: true }),
    ...(options.upstream && { upstream: true }),
    ...(options.downstream && { downstream: true }),
  };
}

// --start/--end as instants, both inclusive (as flow backfill and Airflow read them).
function parseRange(options: ClearOptions): DateRange {
  if (options.run !== undefined && (options.start !== undefined || options.end !== undefined))
    throw new UsageError("--run selects one run: it takes no --start or --end");
  const start = options.start === undefined ? undefined : parseDate("--start", options.start);
  const end = options.end === undefined ? undefined : parseDate("--end", options.end);
  if (start && end && start > end)
    throw new UsageError(
      `--start ${options.start} is after --end ${options.end}: nothing could match`,
    );
  return { ...(start && { start }), ...(end && { end }) };
}

// "3 task instances in 2 runs"
function describe(plan: readonly RunClear[]): string {
  const n = countInstances(plan);
  return `${n} task instance${n === 1 ? "" : "s"} in ${plan.length} run${plan.length === 1 ? "" : "s"}`;
}

// How to get the cleared runs going again.
function nextStep(dagId: string, plan: readonly RunClear[]): string {
  const [first] = plan;
  if (plan.length === 1 && first)
    return `run ${first.run.run_id} is queued: flow run ${dagId} --run ${first.run.run_id} executes it`;
  return `the runs are queued: flow run ${dagId} --run <run_id> executes one, the scheduler all`;
}
