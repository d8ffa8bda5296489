import { Command } from "commander";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { executeExistingRun } from "../execute-existing-run.js";
import { loadDag } from "../../ops/load-dag.js";
import { warnImportErrors } from "../import-warnings.js";
import { GRACE_OPTION, parseGrace, parsePositiveInt } from "../parse.js";
import { openStore } from "../../ops/open-store.js";
import { prepareRetry } from "../../ops/retry.js";
import { checkExecutor } from "../../runner/engine.js";
import {
  addExecutorOptions,
  parseExecutorChoice,
  type ExecutorFlags,
} from "../executor-options.js";

interface RetryOptions extends ExecutorFlags {
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
  const command = new Command("retry")
    .description(
      "clear the failed and upstream_failed tasks of a run (the latest failed run by default) and run it again",
    )
    .argument("<dag>", "DAG id")
    .argument("[run_id]", "the run to retry (default: the latest failed run)")
    .option("--parallelism <n>", "tasks running at once (default: 32)")
    .option(...GRACE_OPTION)
    .option("--json", "print the finished run as JSON (the `flow status --json` shape)");
  return addExecutorOptions(command)
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
      const executor = parseExecutorChoice(context, global, options);
      const workspace = workspaceOf(context, global);
      const { pipelines, loaded } = await loadDag(workspace, dagId);
      warnImportErrors(context, pipelines);
      await checkExecutor(executor);
      const prepared = await prepareRetry(workspace, loaded, runIdArg);
      if (prepared.status === "no_failed_run")
        return void context.stdout.write(`dag "${dagId}" has no failed run: nothing to retry\n`);
      const { run } = prepared;
      if (prepared.status === "nothing_failed")
        return void context.stdout.write(
          `run ${run.run_id} is ${run.state} with no failed or upstream_failed task: nothing to retry\n`,
        );
      if (prepared.cleared.length > 0 && !options.json) {
        const states = prepared.cleared.map((ti) => `${ti.task_id} (${ti.state})`).join(", ");
        context.stdout.write(`retrying run ${run.run_id}: cleared ${states}\n`);
      }
      await executeExistingRun(context, {
        workspace,
        store: await openStore(workspace),
        pipelines,
        loaded,
        runId: run.run_id,
        ...(parallelism && { parallelism }),
        ...(graceMs !== undefined && { graceMs }),
        ...(options.json && { json: true }),
        executor,
      });
    });
}
