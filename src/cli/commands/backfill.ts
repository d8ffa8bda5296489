import { Command } from "commander";
import { EXIT } from "../../errors.js";
import {
  backfillRangeOf,
  checkBackfillOrder,
  type BackfillDates,
} from "../../ops/backfill-range-of.js";
import { loadDag } from "../../ops/load-dag.js";
import {
  planBackfillToRun,
  previewBackfill,
  type BackfillRequest,
} from "../../ops/plan-backfill.js";
import { runBackfill, type BackfillResult } from "../../ops/run-backfill.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { warnImportErrors } from "../import-warnings.js";
import { GRACE_OPTION, parseDate, parseGrace, parsePositiveInt } from "../parse.js";
import { makeBackfillProgress } from "../render/backfill-progress.js";
import {
  renderBackfillEnd,
  renderBackfillJson,
  renderDryRun,
  renderLeftOutNotes,
  renderRunHeader,
} from "../render/backfill-plan.js";
import { withEngine } from "../session.js";
import { checkExecutor } from "../../runner/engine.js";
import {
  addExecutorOptions,
  parseExecutorChoice,
  type ExecutorFlags,
} from "../executor-options.js";

interface BackfillFlags extends ExecutorFlags {
  start: string;
  end?: string;
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
  const command = new Command("backfill")
    .description(
      "create and execute a backfill run for every interval whose logical date lies in [start, end]",
    )
    .argument("<dag>", "DAG id (it must have a schedule)")
    .requiredOption("--start <date>", "first logical date, inclusive (YYYY-MM-DD or ISO instant)")
    .option("--end <date>", "last logical date, inclusive (default: --start, one date)")
    .option("--max-active-runs <n>", "runs executing at once (default: the DAG's maxActiveRuns)")
    .option("--reverse", "newest interval first")
    .option("--rerun-failed", "clear the failed and upstream_failed tasks of failed runs, run them")
    .option("--reset", "clear every task of every existing run in the range and run it again")
    .option("--dry-run", "print the plan (one line per run) and write nothing")
    .option("--parallelism <n>", "tasks running at once across all runs (default: 32)")
    .option(...GRACE_OPTION)
    .option("--json", "print the plan and the runs as JSON instead of progress and tables");
  return addExecutorOptions(command)
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
  flow backfill user_events --start 2026-01-05                  # that one date
  flow backfill user_events --start 2026-01-01 --end 2026-12-31 --max-active-runs 4
  flow backfill user_events --start 2026-01-01 --end 2026-01-31 --rerun-failed
  flow backfill user_events --start 2026-01-01 --end 2026-01-07 --reset --reverse`,
    )
    .action(async (dagId: string, flags: BackfillFlags, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const dates: BackfillDates = {
        start: { text: flags.start, utc: parseDate("--start", flags.start) },
        end: { text: flags.end ?? flags.start, utc: parseDate("--end", flags.end ?? flags.start) },
      };
      checkBackfillOrder(dates.start.utc, dates.end.utc, dates);
      const maxActiveRuns =
        flags.maxActiveRuns === undefined
          ? undefined
          : parsePositiveInt("--max-active-runs", flags.maxActiveRuns);
      const parallelism =
        flags.parallelism === undefined
          ? undefined
          : parsePositiveInt("--parallelism", flags.parallelism);
      const graceMs = parseGrace(flags.grace);
      const executor = parseExecutorChoice(context, global, flags);
      const request: BackfillRequest = {
        dates,
        ...(maxActiveRuns !== undefined && { maxActiveRuns }),
        reverse: flags.reverse ?? false,
        rerunFailed: flags.rerunFailed ?? false,
        reset: flags.reset ?? false,
      };

      const workspace = workspaceOf(context, global);
      const { pipelines, loaded } = await loadDag(workspace, dagId);
      warnImportErrors(context, pipelines);
      const { dag } = loaded;
      const range = backfillRangeOf(dag, dates, context.now());
      context.stderr.write(renderLeftOutNotes(dag, range));
      if (flags.dryRun) {
        const plan = await previewBackfill(workspace, loaded, range, request);
        context.stdout.write(
          flags.json
            ? renderBackfillJson(dag, plan.steps, [], true)
            : renderDryRun(dag, plan.steps),
        );
        return;
      }

      await checkExecutor(executor);
      const plan = await planBackfillToRun(workspace, loaded, range, request);
      if (!flags.json) context.stdout.write(renderRunHeader(dag, plan));
      const began = Date.now();
      const finish = (result: BackfillResult): void => {
        context.stdout.write(
          flags.json
            ? renderBackfillJson(dag, plan.steps, result.runs, false)
            : renderBackfillEnd(result, Date.now() - began, context.color),
        );
        if (result.failed) context.result.exitCode = EXIT.runFailed;
      };
      if (plan.toRun === 0) return finish(await runBackfill(workspace, plan, null));
      const engineOptions = {
        workspace,
        ...(parallelism && { parallelism }),
        ...(graceMs !== undefined && { graceMs }),
        // Running the same range again resumes it.
        resume: `flow backfill ${dagId} --start ${flags.start} --end ${flags.end ?? flags.start}`,
        executor,
      };
      await withEngine(context, plan.store, pipelines, engineOptions, async (engine, stop) => {
        const progress = flags.json
          ? undefined
          : makeBackfillProgress(context.stdout, {
              total: plan.toRun,
              color: context.color,
              live: context.interactive,
            });
        let result: BackfillResult;
        try {
          result = await runBackfill(workspace, plan, {
            engine,
            ...stop,
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
        finish(result);
      });
    });
}
