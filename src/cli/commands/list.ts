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
      const list = await listDags(workspaceOf(context, command.optsWithGlobals<GlobalOptions>()));
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
        file: dag.file,
      }));
      context.stdout.write(`${renderDagsTable(rows, context.color)}\n`);
      if (list.importErrors.length > 0) {
        context.stdout.write(`\nImport errors (${list.importErrors.length}):\n`);
        for (const error of list.importErrors)
          for (const message of error.messages) context.stdout.write(`  ${message}\n`);
      }
    });
}
