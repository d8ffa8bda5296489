import { Command } from "commander";
import type { ClearSelection } from "../../core/clear.js";
import type { DateRange, RunClear } from "../../core/clear-plan.js";
import { UsageError } from "../../errors.js";
import { applyClear, previewClear } from "../../ops/clear.js";
import { loadDag } from "../../ops/load-dag.js";
import { canAsk, confirm } from "../confirm.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { parseDagDate } from "../parse.js";
import { clearJson, describeClearCount, renderClearPlan } from "../render/clear-plan.js";

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
  json?: boolean;
  expect?: string;
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
    .option("--json", "print the plan (--dry-run) or what was cleared (--yes) as JSON")
    .option(
      "--expect <fingerprint>",
      "clear only if the plan is still the one a --dry-run --json printed",
    )
    .addHelpText(
      "after",
      `
Examples:
  flow clear etl --run manual__2026-01-05T00:00:00+00:00 --only-failed
  flow clear etl --task '^transform$' --downstream --start 2026-01-01 --end 2026-01-07
  flow clear etl --only-failed --yes && flow run etl --run <run_id>
  flow clear etl --task load --dry-run
  flow clear etl --only-failed --dry-run --json | jq -r .fingerprint
  flow clear etl --only-failed --yes --expect 3f2a9c0d41b7e6aa   # refused (exit 4) if it changed

Without --run, --start or --end every run of the DAG is considered. Cleared runs go back to
queued: execute them with flow run <dag> --run <run_id>, or let the scheduler pick them up.`,
    )
    .action(async (dagId: string, options: ClearOptions, command: Command) => {
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      parseRange(options, "UTC"); // bad dates and flags fail before anything loads
      const selection = parseSelection(options);
      if (options.json && !options.dryRun && !options.yes)
        throw new UsageError("--json prints without asking: add --dry-run or --yes");
      if (options.expect !== undefined && options.dryRun)
        throw new UsageError("--expect applies a previewed plan: it takes --yes, not --dry-run");
      const { loaded } = await loadDag(workspace, dagId);
      const request = {
        ...(options.run !== undefined && { runId: options.run }),
        range: parseRange(options, loaded.dag.timezone),
        selection,
      };
      const nothing = `nothing to clear: no task instance of dag "${dagId}" matches\n`;
      if (options.dryRun || (!options.yes && !canAsk())) {
        // A preview writes nothing: a run whose flow process died is shown as the apply will
        // recover it, without writing the recovery.
        const plan = await previewClear(workspace, loaded, request);
        if (options.json) return void context.stdout.write(clearJson(dagId, plan, true));
        if (plan.entries.length === 0) return void context.stdout.write(nothing);
        const count = describeClearCount(plan.entries);
        context.stdout.write(`${renderClearPlan(plan.entries, context.color)}\n`);
        if (options.dryRun)
          return void context.stdout.write(`dry run: would clear ${count}; nothing changed\n`);
        throw new UsageError(
          `not clearing ${count} without confirmation: stdin is not a terminal`,
          {
            hint: "pass --yes to clear them, or --dry-run to only list them",
          },
        );
      }
      // What is printed and confirmed is the plan made under the locks: what gets cleared.
      const result = await applyClear(workspace, loaded, request, {
        ...(options.expect !== undefined && { expected: options.expect }),
        approve: async ({ entries }) => {
          if (options.json) return true;
          context.stdout.write(`${renderClearPlan(entries, context.color)}\n`);
          const question = `clear ${describeClearCount(entries)}?`;
          return options.yes || (await confirm(question, { output: context.stderr }));
        },
      });
      if (options.json) context.stdout.write(clearJson(dagId, result.plan, false));
      else if (result.status === "nothing") context.stdout.write(nothing);
      else if (result.status === "declined") context.stdout.write("cancelled: nothing cleared\n");
      else {
        const { entries } = result.plan;
        const next = nextStep(dagId, entries);
        context.stdout.write(`cleared ${describeClearCount(entries)}; ${next}\n`);
        const { onWorkers } = result;
        if (onWorkers?.error !== undefined)
          context.stderr.write(
            `flow: warning: ${onWorkers.jobIds.length} cleared tries still run on workers and could not be stopped (${onWorkers.error}); they run to their end and their results are ignored\n`,
          );
        else if (onWorkers)
          context.stdout.write(
            `asked the workers to stop ${onWorkers.jobIds.length} cleared tries\n`,
          );
      }
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

// --start/--end as instants, both inclusive (as flow backfill and Airflow read them); a date
// without an offset is wall time in the DAG's `timezone`.
function parseRange(options: ClearOptions, timezone: string): DateRange {
  if (options.run !== undefined && (options.start !== undefined || options.end !== undefined))
    throw new UsageError("--run selects one run: it takes no --start or --end");
  const start =
    options.start === undefined ? undefined : parseDagDate("--start", options.start, timezone);
  const end = options.end === undefined ? undefined : parseDagDate("--end", options.end, timezone);
  if (start && end && start > end)
    throw new UsageError(
      `--start ${options.start} is after --end ${options.end}: nothing could match`,
    );
  return { ...(start && { start }), ...(end && { end }) };
}

// How to get the cleared runs going again.
function nextStep(dagId: string, plan: readonly RunClear[]): string {
  const [first] = plan;
  if (plan.length === 1 && first)
    return `run ${first.run.run_id} is queued: flow run ${dagId} --run ${first.run.run_id} executes it`;
  return `the runs are queued: flow run ${dagId} --run <run_id> executes one, the scheduler all`;
}
