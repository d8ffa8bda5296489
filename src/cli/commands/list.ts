import { relative } from "node:path";
import { Command } from "commander";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { listDags } from "../../ops/list-dags.js";
import { toDagListJson } from "../output/dag-list-json.js";
import { renderDagsTable } from "../render/summary.js";

/** `flow list`: the DAGs, their schedule and last run; then the import errors. */
export function makeListCommand(context: CliContext): Command {
  return new Command("list")
    .description(
      "list the DAGs with their schedule, task count and last run, then the import errors",
    )
    .option("--json", "print JSON: {dags: [...], import_errors: [...]}")
    .addHelpText(
      "after",
      `
Examples:
  flow list
  flow list --json | jq '.dags[].dag_id'`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      const list = await listDags(workspace);
      if (options.json) {
        context.stdout.write(`${JSON.stringify(toDagListJson(list), null, 2)}\n`);
        return;
      }
      const rows = list.dags.map(({ dag, lastRuns }) => ({
        dagId: dag.id,
        schedule: dag.schedule,
        tasks: dag.tasks.size,
        lastRun: lastRuns[0]?.run_id ?? null,
        lastState: lastRuns[0]?.state ?? null,
        lastLost: lastRuns[0]?.lost !== undefined,
        file: dag.file,
      }));
      if (rows.length === 0 && list.importErrors.length === 0) {
        // An empty table says nothing about why: say where flow looked and how to begin.
        const where = relative(context.cwd, workspace.pipelinesDir) || ".";
        context.stdout.write(
          `no DAGs in ${where}/: no pipeline file there (.ts, .js, .mts, .mjs) exports a dag()\n` +
            "write one (README: Writing a pipeline), or point flow at yours with --pipelines <dir> or FLOW_PIPELINES\n",
        );
        return;
      }
      context.stdout.write(`${renderDagsTable(rows, context.color)}\n`);
      if (list.importErrors.length > 0) {
        context.stdout.write(`\nImport errors (${list.importErrors.length}):\n`);
        for (const error of list.importErrors)
          for (const message of error.messages) context.stdout.write(`  ${message}\n`);
      }
    });
}
