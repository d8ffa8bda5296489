import { existsSync, statSync } from "node:fs";
import { Command, Option } from "commander";
import { UsageError } from "../../errors.js";
import { DEFAULT_QUEUE, DEFAULT_REDIS_URL } from "../../queue/protocol.js";
import { makeSchedulerLog } from "../../scheduler/scheduler-log.js";
import { pipelinesDir, type CliContext, type GlobalOptions } from "../context.js";
import { GracefulStop } from "../graceful-stop.js";
import { parseGrace, parsePositiveInt } from "../parse.js";

interface WorkerOptions {
  concurrency: string;
  queue?: string;
  redis?: string;
  grace: string;
}

/** Tries a worker runs at once unless --concurrency says otherwise. */
export const DEFAULT_CONCURRENCY = 4;

/** `flow worker`: run the tries that drivers (`--executor queue`) put on a Redis queue. */
export function makeWorkerCommand(context: CliContext): Command {
  return new Command("worker")
    .description(
      "run tasks from a Redis queue for drivers started with --executor queue (run, retry, backfill, scheduler)",
    )
    .addOption(
      new Option("--concurrency <n>", "tries run at once (and function-task processes)").default(
        String(DEFAULT_CONCURRENCY),
        String(DEFAULT_CONCURRENCY),
      ),
    )
    .option("--queue <name>", `queue to take tasks from (default: FLOW_QUEUE or ${DEFAULT_QUEUE})`)
    .option(
      "--redis <url>",
      `Redis to connect to (default: FLOW_REDIS_URL or ${DEFAULT_REDIS_URL})`,
    )
    .addOption(
      new Option(
        "--grace <duration>",
        "on SIGTERM/SIGINT, time running tries get to finish before they go back to the queue",
      ).default("30s", "30s"),
    )
    .addHelpText(
      "after",
      `
The worker needs the same pipelines folder as the drivers (a try whose pipeline file differs
fails, naming both files) and the packages the pipelines import. Bash tasks run in the worker,
function tasks in --concurrency child processes. The first SIGTERM or Ctrl-C takes no new tries
and gives running ones --grace to end; then (or at a second signal) they are stopped and handed
back to the queue for another worker.

Examples:
  flow worker                                          # Redis on localhost, queue "default"
  flow worker --concurrency 8 --redis redis://queue.internal:6379
  FLOW_REDIS_URL=redis://10.0.0.5:6379 flow worker --queue gpu`,
    )
    .action(async (options: WorkerOptions, self: Command) => {
      const global = self.optsWithGlobals<GlobalOptions>();
      const concurrency = parsePositiveInt("--concurrency", options.concurrency);
      const graceMs = parseGrace(options.grace);
      const queue = queueName(options.queue ?? (context.env.FLOW_QUEUE || DEFAULT_QUEUE));
      const dir = pipelinesDir(context, global);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new UsageError(`pipelines folder "${dir}" does not exist`, {
          hint: "run flow worker where your pipelines/ folder is, or set --pipelines DIR or FLOW_PIPELINES",
        });
      }
      const launcher = process.argv[1];
      if (launcher === undefined) throw new Error("cannot tell how flow was started");
      const log = makeSchedulerLog(context.stdout, context.stderr);
      const stop = new GracefulStop(graceMs);
      const { runWorker } = await import("../../worker/run-worker.js");
      stop.listen();
      try {
        await runWorker(
          {
            redisUrl: options.redis ?? (context.env.FLOW_REDIS_URL || DEFAULT_REDIS_URL),
            queue,
            concurrency,
            pipelinesDir: dir,
            cwd: context.cwd,
            env: context.env,
            launcher,
          },
          { drain: stop.drain, signal: stop.signal },
          log,
        );
      } finally {
        stop.dispose();
      }
    });
}

/**
 * `flow worker-child`, hidden: one process of a worker's function-task pool, started by
 * `flow worker` with an IPC channel (src/worker/function-child.ts).
 */
export function makeWorkerChildCommand(context: CliContext): Command {
  return new Command("worker-child")
    .description("internal: a function-task process of flow worker")
    .action(async (_options: unknown, self: Command) => {
      const global = self.optsWithGlobals<GlobalOptions>();
      const { runFunctionChild } = await import("../../worker/function-child.js");
      await runFunctionChild({
        pipelinesDir: pipelinesDir(context, global),
        cwd: context.cwd,
        env: context.env,
      });
    });
}

/** A queue name BullMQ takes: not empty, no `:` (its key separator). */
export function queueName(name: string): string {
  if (name === "" || name.includes(":"))
    throw new UsageError(`queue name "${name}" must be non-empty and without ":"`);
  return name;
}
