import { Command } from "commander";
import { selectTasksToClear } from "../../core/clear.js";
import type { DagRun } from "../../core/run.js";
import { isRunFinished } from "../../core/states.js";
import { recoverLostRuns } from "../../runner/recover.js";
import { writeClear } from "../clear-plan.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { executeExistingRun } from "../execute-existing-run.js";
import { findRun } from "../../ops/find-run.js";
import { loadDag } from "../../ops/load-dag.js";
import { warnImportErrors } from "../import-warnings.js";
import { GRACE_OPTION, parseGrace, parsePositiveInt } from "../parse.js";
import { openStore } from "../../ops/open-store.js";

interface RetryOptions {
  parallelism?: string;
  grace?: string;
  json?: boolean;
}

/**
 * `flow retry <dag> [<run_id>]`: restart a run from the point of failure. Clears its failed and
 * upstream_failed task instances (Airflow's `clear --only-failed`) and executes the run in the
 * foreground; what succeeded is not run again and its results stay readable.
 */
export function makeRetryCommand(context: CliContext): Command {
  return new Command("retry")
    .description(
      "clear the failed and upstream_failed tasks of a run (the latest failed run by default) and run it again",
    )
    .argument("<dag>", "DAG id")
    .argument("[run_id]", "the run to retry (default: the latest failed run)")
    .option("--parallelism <n>", "tasks running at once (default 32)")
    .option(...GRACE_OPTION)
    .option("--json", "print the finished run as JSON (the `flow status --json` shape)")
    .addHelpText(
      "after",
      `
Examples:
  flow retry etl                                          # the latest failed run
  flow retry etl manual__2026-01-05T00:00:00+00:00
  flow retry etl --json | jq '.runs[0].state'`,
    )
    .action(async (dagId: string, runIdArg: string | undefined, options: RetryOptions, command) => {
      const global = (command as Command).optsWithGlobals<GlobalOptions>();
      const parallelism =
        options.parallelism === undefined
          ? undefined
          : parsePositiveInt("--parallelism", options.parallelism);
      const graceMs = parseGrace(options.grace);
      const { pipelines, loaded } = await loadDag(workspaceOf(context, global), dagId);
      warnImportErrors(context, pipelines);
      const { dag } = loaded;
      const store = await openStore(workspaceOf(context, global));
      await recoverLostRuns(store, loaded, () => context.now());
      let target: DagRun | undefined;
      if (runIdArg !== undefined) target = await findRun(store, dagId, runIdArg);
      else target = (await store.listRuns(dagId)).filter((run) => run.state === "failed").at(-1);
      if (target === undefined) {
        context.stdout.write(`dag "${dagId}" has no failed run: nothing to retry\n`);
        return;
      }
      const writer = await store.openRun(dagId, target.run_id);
      let cleared: string[];
      try {
        const run = writer.run;
        cleared = selectTasksToClear(dag, run, { onlyFailed: true });
        if (cleared.length === 0 && isRunFinished(run.state)) {
          context.stdout.write(
            `run ${run.run_id} is ${run.state} with no failed or upstream_failed task: nothing to retry\n`,
          );
          return;
        }
        if (cleared.length > 0) {
          const states = cleared.map((id) => `${id} (${run.tasks[id]!.state})`).join(", ");
          if (!options.json)
            context.stdout.write(`retrying run ${run.run_id}: cleared ${states}\n`);
          writeClear(dag, writer, cleared, context.now());
        }
      } finally {
        await writer.close();
      }
      await executeExistingRun(context, {
        store,
        pipelines,
        loaded,
        runId: target.run_id,
        ...(parallelism && { parallelism }),
        ...(graceMs !== undefined && { graceMs }),
        ...(options.json && { json: true }),
      });
    });
}
