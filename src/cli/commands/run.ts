import { Command, Option } from "commander";
import { UsageError } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { executeExistingRun } from "../execute-existing-run.js";
import { findRun } from "../../ops/find-run.js";
import { loadDag } from "../../ops/load-dag.js";
import { warnImportErrors } from "../import-warnings.js";
import {
  GRACE_OPTION,
  collect,
  parseDagDate,
  parseDate,
  parseGrace,
  parseParams,
  parsePositiveInt,
} from "../parse.js";
import { openStore } from "../../ops/open-store.js";
import { checkExecutor } from "../../runner/engine.js";
import {
  addExecutorOptions,
  parseExecutorChoice,
  type ExecutorFlags,
} from "../executor-options.js";
import { triggerRun } from "../../ops/trigger-run.js";

interface RunOptions extends ExecutorFlags {
  run?: string;
  date?: string;
  param: string[];
  parallelism?: string;
  grace?: string;
  json?: boolean;
}

/** `flow run <dag>`: create a manual run and execute it in the foreground. */
export function makeRunCommand(context: CliContext): Command {
  const command = new Command("run")
    .description("create a manual run of a DAG and execute it to completion in the foreground")
    .argument("<dag>", "DAG id")
    .option("--date <date>", "logical date of the run, YYYY-MM-DD or ISO instant (default: now)")
    .option(
      "--run <run_id>",
      "execute this existing run from where it stands (a cleared, interrupted or lost run)",
    )
    .addOption(
      new Option("--param <key=value>", "set a run param (repeatable; JSON values are parsed)")
        .argParser(collect)
        .default([], "none"),
    )
    .option("--parallelism <n>", "tasks running at once (default: 32)")
    .option(...GRACE_OPTION)
    .option("--json", "print the finished run as JSON (the `flow status --json` shape)");
  return addExecutorOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  flow run rocket_launches
  flow run user_events --date 2026-01-05
  flow run report --param region=eu --param limit=10 --json
  flow run user_events --run backfill__2026-01-05T00:00:00+00:00    # resume an interrupted run
  flow run rocket_launches --executor queue --redis redis://10.0.0.5:6379   # on flow workers`,
    )
    .action(async (dagId: string, options: RunOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      if (options.run !== undefined && (options.date !== undefined || options.param.length > 0)) {
        throw new UsageError("--run executes an existing run: it takes no --date or --param");
      }
      // Checked before anything loads; read in the DAG's timezone once it has.
      if (options.date !== undefined) parseDate("--date", options.date);
      const params = parseParams(options.param);
      const parallelism =
        options.parallelism === undefined
          ? undefined
          : parsePositiveInt("--parallelism", options.parallelism);
      const graceMs = parseGrace(options.grace);
      const executor = parseExecutorChoice(context, global, options);
      const workspace = workspaceOf(context, global);
      const { pipelines, loaded } = await loadDag(workspace, dagId);
      await checkExecutor(executor);
      warnImportErrors(context, pipelines);
      const date =
        options.date === undefined
          ? undefined
          : parseDagDate("--date", options.date, loaded.dag.timezone);
      const store = await openStore(workspace);
      const runId =
        options.run !== undefined
          ? (await findRun(store, dagId, options.run, loaded.dag.timezone)).run_id
          : (await triggerRun(workspace, loaded, { ...(date && { date }), params })).run_id;
      await executeExistingRun(context, {
        workspace,
        store,
        pipelines,
        loaded,
        runId,
        ...(parallelism && { parallelism }),
        ...(graceMs !== undefined && { graceMs }),
        ...(options.json && { json: true }),
        executor,
      });
    });
}
