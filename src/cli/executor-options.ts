import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { ExecutorChoice } from "../runner/engine.js";
import { DEFAULT_QUEUE, DEFAULT_REDIS_URL } from "../queue/protocol.js";
import { type CliContext, type GlobalOptions, pipelinesDir } from "./context.js";
import { parseGrace } from "./parse.js";

/** The flags of the commands that execute runs (run, retry, backfill, scheduler). */
export interface ExecutorFlags {
  executor?: string;
  redis?: string;
  queue?: string;
  queuedTimeout?: string;
}

/** Adds --executor, --redis, --queue and --queued-timeout to `command`. */
export function addExecutorOptions(command: Command): Command {
  return command
    .option(
      "--executor <local|queue>",
      "where tasks run: here (local), or on `flow worker`s through Redis (queue) (default: FLOW_EXECUTOR, else local)",
    )
    .option(
      "--redis <url>",
      `Redis of the queue executor (default: FLOW_REDIS_URL, else ${DEFAULT_REDIS_URL})`,
    )
    .option("--queue <name>", `queue the tasks go to (default: FLOW_QUEUE, else ${DEFAULT_QUEUE})`)
    .option(
      "--queued-timeout <duration>",
      "a task no worker starts within this fails, and retries if it may (default: 10m)",
    );
}

/** The executor the flags and FLOW_EXECUTOR / FLOW_REDIS_URL / FLOW_QUEUE name. */
export function parseExecutorChoice(
  context: CliContext,
  global: GlobalOptions,
  flags: ExecutorFlags,
): ExecutorChoice {
  const { env } = context;
  const kind = flags.executor ?? env.FLOW_EXECUTOR ?? "local";
  if (kind !== "local" && kind !== "queue") {
    const from = flags.executor === undefined ? "FLOW_EXECUTOR" : "--executor";
    throw new UsageError(`${from} "${kind}" is not an executor: use local or queue`);
  }
  if (kind === "local") {
    for (const flag of ["redis", "queue", "queuedTimeout"] as const)
      if (flags[flag] !== undefined)
        throw new UsageError(
          `--${flag === "queuedTimeout" ? "queued-timeout" : flag} is for the queue executor: add --executor queue`,
        );
    return { kind: "local" };
  }
  const queue = flags.queue ?? env.FLOW_QUEUE ?? DEFAULT_QUEUE;
  if (!/^[A-Za-z0-9_.-]+$/.test(queue))
    throw new UsageError(`queue name "${queue}" may hold only letters, digits, _ . and -`);
  const limit = env.FLOW_QUEUE_JOB_LIMIT;
  const jobSizeLimit = limit === undefined || limit === "" ? undefined : Number(limit);
  if (jobSizeLimit !== undefined && !(Number.isInteger(jobSizeLimit) && jobSizeLimit > 0))
    throw new UsageError(`FLOW_QUEUE_JOB_LIMIT "${limit}" is not a number of bytes`);
  const queuedTimeoutMs = parseGrace(flags.queuedTimeout, "--queued-timeout");
  // A testing aid, as FLOW_LOCK_STALE_MS: how soon a try whose worker is gone fails (default 60 s).
  const orphan = Number(env.FLOW_QUEUE_ORPHAN_MS);
  const orphanMs = Number.isInteger(orphan) && orphan >= 2_000 ? orphan : undefined;
  return {
    kind: "queue",
    redisUrl: flags.redis ?? env.FLOW_REDIS_URL ?? DEFAULT_REDIS_URL,
    queue,
    pipelinesDir: pipelinesDir(context, global),
    ...(jobSizeLimit !== undefined && { jobSizeLimit }),
    ...(queuedTimeoutMs !== undefined && { queuedTimeoutMs }),
    ...(orphanMs !== undefined && { orphanMs }),
  };
}

/** The flags that choose `choice` again, for a command flow starts itself (scheduler --detach). */
export function executorArgs(flags: ExecutorFlags): string[] {
  const args: string[] = [];
  if (flags.executor !== undefined) args.push("--executor", flags.executor);
  if (flags.redis !== undefined) args.push("--redis", flags.redis);
  if (flags.queue !== undefined) args.push("--queue", flags.queue);
  if (flags.queuedTimeout !== undefined) args.push("--queued-timeout", flags.queuedTimeout);
  return args;
}
