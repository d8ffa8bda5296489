import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { buildRunContext, formatRunId } from "../../core/context.js";
import { manualDataInterval, neighboursOf } from "../../core/dag-timetable.js";
import { formatDuration } from "../../core/duration.js";
import { newRun } from "../../core/transitions.js";
import { EXIT, NotFoundError } from "../../errors.js";
import { LoadedTaskResolver } from "../../loader/module-resolver.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadDag } from "../../ops/load-dag.js";
import { followFile } from "../output/follow-file.js";
import { collect, parseDate, parseParams } from "../parse.js";

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
    .option("--param <key=value>", "set a run param (repeatable)", collect, [])
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
        const logicalDate =
          options.date === undefined ? context.now() : parseDate("--date", options.date);
        const params = parseParams(options.param);
        const { pipelines, loaded } = await loadDag(workspaceOf(context, global), dagId);
        const spec = loaded.dag.tasks.get(taskId);
        if (!spec)
          throw new NotFoundError("task", taskId, [...loaded.dag.tasks.keys()], {
            where: `dag "${dagId}"`,
          });
        const interval = manualDataInterval(loaded.dag, logicalDate, options.date !== undefined);
        const run = newRun({
          dag: loaded.dag,
          runId: formatRunId("manual", logicalDate, options.date === undefined),
          runType: "manual",
          logicalDate,
          dataIntervalStart: interval.start,
          dataIntervalEnd: interval.end,
          queuedAt: logicalDate,
          params,
        });
        const resolver = new LoadedTaskResolver(pipelines);
        const executor =
          spec.kind === "bash"
            ? new (await import("../../executors/bash.js")).BashExecutor(resolver)
            : new (await import("../../executors/function.js")).FunctionExecutor(resolver);
        const dir = mkdtempSync(join(tmpdir(), "flow-test-"));
        const logPath = join(dir, "1.log");
        const follower = followFile(logPath, context.stdout);
        const abort = new AbortController();
        const onSignal = (): void => abort.abort();
        process.once("SIGINT", onSignal);
        const started = Date.now();
        try {
          const outcome = await executor.execute(
            {
              ref: { file: loaded.file, dagId, taskId },
              context: buildRunContext(run, taskId, 1, 1, neighboursOf(loaded.dag, run)),
              results: {},
              upstream: spec.upstream,
              logPath,
              timeoutMs: spec.timeoutMs,
              signal: abort.signal,
            },
            () => undefined,
          );
          follower.stop();
          const took = formatDuration(Date.now() - started);
          if (outcome.status === "success") {
            const result =
              outcome.result === undefined ? "" : `, result ${JSON.stringify(outcome.result)}`;
            context.stderr.write(`flow: task "${taskId}" succeeded in ${took}${result}\n`);
          } else if (outcome.status === "skipped") {
            context.stderr.write(
              `flow: task "${taskId}" skipped itself in ${took}: ${outcome.reason}\n`,
            );
          } else {
            context.stderr.write(`flow: task "${taskId}" failed in ${took}: ${outcome.error}\n`);
            context.result.exitCode = EXIT.runFailed;
          }
        } finally {
          follower.stop();
          process.off("SIGINT", onSignal);
          await executor.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
}
