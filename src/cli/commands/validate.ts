import { Command } from "commander";
import { EXIT } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadAll } from "../../ops/load-dag.js";

/** `flow validate`: import every pipeline; exit non-zero when any has an import error. */
export function makeValidateCommand(context: CliContext): Command {
  return new Command("validate")
    .description("import every pipeline and check its DAGs; exit 3 when there is any import error")
    .option("--json", "print JSON: {dags: [...], import_errors: [...]}")
    .addHelpText(
      "after",
      `
Examples:
  flow validate                      # in CI, before deploying pipelines
  flow validate --pipelines ./dags`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const pipelines = await loadAll(
        workspaceOf(context, command.optsWithGlobals<GlobalOptions>()),
      );
      const problems = pipelines.errors.flatMap((error) => error.messages);
      if (options.json) {
        const dags = [...pipelines.dags.keys()].sort();
        const errors = pipelines.errors.map((e) => ({
          file: e.file,
          dag_id: e.dagId ?? null,
          messages: e.messages,
        }));
        context.stdout.write(`${JSON.stringify({ dags, import_errors: errors }, null, 2)}\n`);
      } else {
        for (const problem of problems) context.stderr.write(`${problem}\n`);
        const dags = pipelines.dags.size;
        const summary = `${dags} DAG${dags === 1 ? "" : "s"} valid`;
        context.stdout.write(
          problems.length === 0
            ? `${summary}\n`
            : `${summary}, ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${pipelines.errors.length} place(s)\n`,
        );
      }
      if (problems.length > 0) context.result.exitCode = EXIT.pipeline;
    });
}
