import { Command } from "commander";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadAll } from "../../ops/load-dag.js";
import { renderDagsTable } from "../render/summary.js";
import { openStore } from "../../ops/open-store.js";

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
      const global = command.optsWithGlobals<GlobalOptions>();
      const pipelines = await loadAll(workspaceOf(context, global));
      const store = await openStore(workspaceOf(context, global));
      const rows = [];
      for (const { dag } of [...pipelines.dags.values()].sort((a, b) =>
        a.dag.id.localeCompare(b.dag.id),
      )) {
        const runs = await store.listRuns(dag.id);
        const last = runs.at(-1);
        rows.push({
          dag_id: dag.id,
          file: dag.file,
          description: dag.description ?? null,
          tags: [...dag.tags],
          schedule: dag.schedule,
          tasks: dag.tasks.size,
          last_run: last
            ? { run_id: last.run_id, logical_date: last.logical_date, state: last.state }
            : null,
        });
      }
      const importErrors = pipelines.errors.map((error) => ({
        file: error.file,
        dag_id: error.dagId ?? null,
        messages: [...error.messages],
      }));
      if (options.json) {
        context.stdout.write(
          `${JSON.stringify({ dags: rows, import_errors: importErrors }, null, 2)}\n`,
        );
        return;
      }
      context.stdout.write(
        `${renderDagsTable(
          rows.map((row) => ({
            dagId: row.dag_id,
            schedule: row.schedule,
            tasks: row.tasks,
            lastRun: row.last_run?.run_id ?? null,
            lastState: row.last_run?.state ?? null,
            file: row.file,
          })),
          context.color,
        )}\n`,
      );
      if (importErrors.length > 0) {
        context.stdout.write(`\nImport errors (${importErrors.length}):\n`);
        for (const error of importErrors)
          for (const message of error.messages) context.stdout.write(`  ${message}\n`);
      }
    });
}
