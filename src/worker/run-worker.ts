import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { homedir, hostname, tmpdir } from "node:os";
import { removeStaleLogDirs } from "./stale-log-dirs.js";
import { join } from "node:path";
import { BashExecutor } from "../executors/bash.js";
import { cacheDirFor } from "../loader/compiled-pipelines.js";
import { formatDuration } from "../executors/durations.js";
import { delay } from "../executors/process-tree.js";
import {
  KEY_PREFIX,
  LOCK_DURATION_MS,
  MAX_STALLED_COUNT,
  STALLED_INTERVAL_MS,
  queueKeys,
  type QueueJobData,
  type QueueJobResult,
} from "../queue/protocol.js";
import { connectRedis, describeRedisUrl } from "../queue/redis.js";
import { FunctionPool } from "./function-pool.js";
import { stopLostTries } from "./lost-jobs.js";
import { makeProcessor, type QueueJob } from "./process-job.js";
import { WorkerRegistration } from "./registry.js";
import { RunningTries } from "./running-tries.js";
import { settleWithin, whenAborted } from "./settle-within.js";
import { WorkerPipelines } from "./worker-pipelines.js";

/** What `flow worker` was asked to do. */
export interface WorkerSettings {
  readonly redisUrl: string;
  readonly queue: string;
  readonly concurrency: number;
  /** Absolute path of the worker's pipelines folder. */
  readonly pipelinesDir: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The flow launcher (bin/flow.js) that starts function-task children as `flow worker-child`. */
  readonly launcher: string;
}

/** How the worker is told to stop: `drain` takes no new try, `signal` hands running ones back. */
export interface WorkerStop {
  readonly drain: AbortSignal;
  readonly signal: AbortSignal;
  /** Time from `drain` to `signal` (for the stop line). */
  readonly graceMs: number;
}

/** Where the worker's lines go: one when it starts, one per try started and ended. */
export interface WorkerOutput {
  info(line: string): void;
  warn(line: string): void;
}

/** A stopped worker gives BullMQ's close this long before it stops waiting for Redis (#4656). */
const CLOSE_IDLE_MS = 2_000;
/** Tries handed back get this long to stop their process trees and go back to the queue. */
const HAND_BACK_MS = 15_000;
/** The same error from BullMQ or Redis is printed at most once per this many ms. */
const ERROR_REPEAT_MS = 30_000;

/**
 * `flow worker`: takes jobs from the queue and runs their tries until `stop.drain` aborts; then
 * takes nothing new, lets running tries end until `stop.signal` aborts, hands the rest back to
 * the queue, and returns. Throws a QueueError when Redis cannot be reached at the start.
 */
export async function runWorker(
  settings: WorkerSettings,
  stop: WorkerStop,
  out: WorkerOutput,
): Promise<void> {
  const redis = await connectRedis(settings.redisUrl, { name: "flow-worker" });
  const subscriber = await connectRedis(settings.redisUrl, { name: "flow-worker-cancel" }).catch(
    (error: unknown) => {
      redis.disconnect();
      throw error;
    },
  );
  const { Worker, WaitingError } = await import("bullmq");
  const host = hostname();
  const pid = process.pid;
  const keys = queueKeys(settings.queue);
  await removeStaleLogDirs(tmpdir());
  const logDir = await mkdtemp(join(tmpdir(), `flow-worker-${pid}-`));
  const tries = new RunningTries();
  const registration = new WorkerRegistration(
    redis,
    keys.worker(host, pid),
    {
      host,
      pid,
      queue: settings.queue,
      concurrency: settings.concurrency,
      pipelinesDir: settings.pipelinesDir,
      startedAt: new Date().toISOString(),
    },
    tries,
  );
  const pipelines = new WorkerPipelines(settings.pipelinesDir, {
    cwd: settings.cwd,
    cacheDir: cacheDirFor(settings.env, homedir(), settings.cwd),
  });
  const executors = {
    bash: new BashExecutor(pipelines),
    function: new FunctionPool(settings.concurrency, () =>
      fork(settings.launcher, ["--pipelines", settings.pipelinesDir, "worker-child"], {
        cwd: settings.cwd,
        env: settings.env,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        // A process group of its own: the terminal's Ctrl-C reaches the worker, which decides
        // when its tries stop, and not the function tasks directly.
        detached: true,
      }),
    ),
  };
  const warn = rateLimited(out.warn);
  const processor = makeProcessor({
    redis,
    queue: settings.queue,
    pipelinesDir: settings.pipelinesDir,
    host,
    pid,
    logDir,
    executors,
    tries,
    registration,
    print: out.info,
    handBack: async (job: QueueJob, token) => {
      await settleWithin(job.moveToWait(token), 5_000);
      throw new WaitingError();
    },
    letGo: () => {
      throw new WaitingError();
    },
  });
  const worker = new Worker<QueueJobData, QueueJobResult>(settings.queue, processor, {
    connection: redis,
    prefix: KEY_PREFIX,
    concurrency: settings.concurrency,
    lockDuration: LOCK_DURATION_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    name: `${host}:${pid}`,
    autorun: false,
  });
  worker.on("error", (error) => warn(`queue: ${error.message}`));
  worker.on(
    "lockRenewalFailed",
    (jobIds) => void stopLostTries(redis, settings.queue, tries, jobIds),
  );
  subscriber.on("message", (_channel: string, jobId: string) => {
    if (tries.cancel(jobId)) out.info(`cancel requested for job ${jobId}: stopping its try`);
  });
  try {
    await subscriber.subscribe(keys.cancel);
    registration.start();
    out.info(
      `worker ${host}:${pid} started: queue "${settings.queue}" at ${describeRedisUrl(settings.redisUrl)}, concurrency ${settings.concurrency}, pipelines ${settings.pipelinesDir}`,
    );
    const running = worker.run().catch((error: Error) => warn(`queue: ${error.message}`));
    await whenAborted(stop.drain);
    out.info(
      tries.size === 0
        ? "stopping: no try is running"
        : `stopping: taking no new tries; ${tries.size} running get ${formatDuration(stop.graceMs)} to finish, then go back to the queue (Ctrl-C again: now)`,
    );
    await closeWorker(
      worker.close(),
      running,
      tries,
      stop.signal,
      () => redis.status === "ready",
      out,
    );
  } finally {
    subscriber.disconnect();
    if (redis.status === "ready") await settleWithin(registration.stop(), 1_000);
    await settleWithin(Promise.all([executors.function.close(), executors.bash.close()]), 10_000);
    redis.disconnect();
    await rm(logDir, { recursive: true, force: true });
  }
  out.info("stopped");
}

// Waits for BullMQ's close (running tries end, then its connections close), handing the tries
// back when `signal` aborts, and never longer than Redis allows: close() waits forever for a
// Redis that is gone (BullMQ #4656).
async function closeWorker(
  closing: Promise<void>,
  running: Promise<unknown>,
  tries: RunningTries,
  signal: AbortSignal,
  connected: () => boolean,
  out: WorkerOutput,
): Promise<void> {
  let closed = false;
  void Promise.allSettled([closing, running]).then(() => (closed = true));
  let idleSince: number | undefined;
  while (!closed) {
    if (signal.aborted) {
      if (tries.size > 0) {
        out.info(`handing ${tries.size} running tries back to the queue`);
        tries.handBackAll();
      }
      await settleWithin(closing, HAND_BACK_MS);
      return;
    }
    if (tries.size > 0) idleSince = undefined;
    else idleSince ??= Date.now();
    // Nothing runs: a Redis that is gone gets no more time, one that is there a little.
    if (idleSince !== undefined && (!connected() || Date.now() - idleSince > CLOSE_IDLE_MS)) return;
    await delay(50);
  }
}

// The same message once per ERROR_REPEAT_MS: a Redis that is down fails every command.
function rateLimited(print: (line: string) => void): (line: string) => void {
  const last = new Map<string, number>();
  return (line) => {
    const now = Date.now();
    if (now - (last.get(line) ?? -Infinity) < ERROR_REPEAT_MS) return;
    last.set(line, now);
    print(line);
  };
}
