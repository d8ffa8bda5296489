import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import { formatDuration } from "../../core/duration.js";
import { EXIT } from "../../errors.js";
import { testTask } from "../../ops/test-task.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadDag } from "../../ops/load-dag.js";
import { followFile } from "../output/follow-file.js";
import { collect, parseDagDate, parseDate, parseParams } from "../parse.js";

/**
 * `flow test <dag> <task>`: run one task now, ignoring its dependencies and recording nothing
 * (Airflow's `tasks test`). Its log goes to the terminal.
 */
export function makeTestCommand(context: CliContext): Command {
  return new Command("test")
    .description(
      "run one task now, ignoring dependencies and recording no state; its log goes to stdout",
    )
    .argument("<dag>", "DAG id")
    .argument("<task>", "task id")
    .option("--date <date>", "logical date (default: now)")
    .addOption(
      new Option("--param <key=value>", "set a run param (repeatable)")
        .argParser(collect)
        .default([], "none"),
    )
    .addHelpText(
      "after",
      `
Examples:
  flow test user_events fetch_events --date 2026-01-05
  flow test rocket_launches notify`,
    )
    .action(
      async (
        dagId: string,
        taskId: string,
        options: { date?: string; param: string[] },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        if (options.date !== undefined) parseDate("--date", options.date);
        const params = parseParams(options.param);
        const workspace = workspaceOf(context, global);
        const { pipelines, loaded } = await loadDag(workspace, dagId);
        // A date without an offset is wall time in the DAG's timezone, as for flow run.
        const date =
          options.date === undefined
            ? undefined
            : parseDagDate("--date", options.date, loaded.dag.timezone);
        const dir = mkdtempSync(join(tmpdir(), "flow-test-"));
        const logPath = join(dir, "1.log");
        const follower = followFile(logPath, context.stdout);
        const abort = new AbortController();
        // Ctrl-C or SIGTERM stops the task (its process tree), and its temp log goes.
        const onSignal = (): void => abort.abort();
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        const started = Date.now();
        try {
          const request = { taskId, ...(date && { date }), params, logPath, signal: abort.signal };
          const { outcome, resultsFrom } = await testTask(workspace, pipelines, loaded, request);
          follower.stop();
          const took = formatDuration(Date.now() - started);
          const spec = loaded.dag.tasks.get(taskId)!;
          if (spec.kind === "function" && spec.upstream.length > 0)
            context.stderr.write(
              resultsFrom === null
                ? `flow: note: no run of dag "${dagId}" has this logical date: ctx.upstream was empty\n`
                : `flow: note: ctx.upstream read the results of run ${resultsFrom}\n`,
            );
          if (abort.signal.aborted) {
            context.stderr.write(`flow: task "${taskId}" stopped after ${took} (interrupted)\n`);
            context.result.exitCode = EXIT.interrupted;
          } else if (outcome.status === "success") {
            const result =
              outcome.result === undefined ? "" : `, result ${JSON.stringify(outcome.result)}`;
            context.stderr.write(`flow: task "${taskId}" succeeded in ${took}${result}\n`);
          } else if (outcome.status === "skipped") {
            context.stderr.write(
              `flow: task "${taskId}" skipped itself in ${took}: ${outcome.reason}\n`,
            );
          } else if (outcome.status === "reschedule") {
            // One poke, as `flow test` runs one try: a run would poke again at its next time.
            context.stderr.write(`flow: sensor "${taskId}" is not done yet after ${took}\n`);
            context.result.exitCode = EXIT.runFailed;
          } else {
            // not_started needs a TryFollow, which `flow test` never gives.
            const why = outcome.status === "failed" ? outcome.error : "it did not start";
            context.stderr.write(`flow: task "${taskId}" failed in ${took}: ${why}\n`);
            context.result.exitCode = EXIT.runFailed;
          }
        } finally {
          follower.stop();
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
}
