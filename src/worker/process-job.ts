import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import type { TaskKind } from "../core/dag.js";
import { formatDuration } from "../executors/durations.js";
import type { Executor, TaskExecution, TaskOutcome } from "../executors/executor.js";
import { cancelled, describeThrown, failed } from "../executors/outcomes.js";
import {
  MAX_STARTS,
  PROTOCOL_VERSION,
  queueKeys,
  type QueueJobData,
  type QueueJobResult,
  type QueueJobStarted,
} from "../queue/protocol.js";
import { deliveryHeader, LogShipper } from "./log-shipper.js";
import { checkPipeline } from "./pipeline-check.js";
import type { WorkerRegistration } from "./registry.js";
import type { RunningTries } from "./running-tries.js";

export type QueueJob = Job<QueueJobData, QueueJobResult>;

/** What the processor of one worker works with. */
export interface ProcessorDeps {
  readonly redis: Redis;
  readonly queue: string;
  readonly pipelinesDir: string;
  readonly host: string;
  readonly pid: number;
  /** Where tries' logs are written before they are shipped (each removed once shipped). */
  readonly logDir: string;
  readonly executors: Readonly<Record<TaskKind, Executor>>;
  readonly tries: RunningTries;
  readonly registration: WorkerRegistration;
  readonly print: (line: string) => void;
  /** Gives the job back to the queue for another worker; never returns (BullMQ's WaitingError). */
  readonly handBack: (job: QueueJob, token: string | undefined) => Promise<never>;
  /**
   * Ends a delivery that lost its job without touching the job (gone, or another delivery's):
   * never returns (BullMQ's WaitingError, which moves nothing).
   */
  readonly letGo: () => never;
}

/**
 * The processor: one try per job. Every failure of the task, and every refusal (another protocol
 * version, a pipeline file that differs, a try started twice already), is an outcome in the job's
 * return value; it throws only when Redis fails it, to hand the job back (the worker is
 * stopping), or to let go of a job this delivery lost (gone from Redis, or taken over): BullMQ
 * and the driver treat those as the queue's business rather than the task's.
 */
export function makeProcessor(deps: ProcessorDeps) {
  const worker = `${deps.host}:${deps.pid}`;
  const keys = queueKeys(deps.queue);
  return async (job: QueueJob, token?: string): Promise<QueueJobResult> => {
    const data = job.data;
    const jobId = job.id ?? "";
    // BullMQ counts starts (attemptsStarted) before it hands the job over: 1, then 2 after a
    // stall or a hand-back; a job the driver added again (Redis lost it) counts on from the
    // starts before it.
    const startsBefore = data.startsBefore ?? 0;
    const delivery = startsBefore + Math.max(1, job.attemptsStarted);
    const logPath = join(deps.logDir, `${jobId}.${delivery}.log`);
    const shipper = new LogShipper(deps.redis, keys.log(jobId), delivery, logPath);
    const name = `${data.dagId}.${data.taskId} ${data.runId} try ${data.tryNumber}`;
    const report = async (outcome: TaskOutcome, line?: string): Promise<QueueJobResult> => {
      if (line !== undefined) await shipper.say(`flow: ${line}\n`);
      await shipper.end();
      return { outcome, delivery, logBytes: shipper.total, host: deps.host, pid: deps.pid };
    };
    if (data.v !== PROTOCOL_VERSION) {
      const error = `job of protocol version ${String(data.v)}, but worker ${worker} speaks version ${PROTOCOL_VERSION}: run the same flow version on the driver and every worker`;
      deps.print(`${name}: refused: ${error}`);
      return report({ status: "failed", error, retryable: false }, error);
    }
    // BullMQ's stall count (maxStalledCount) knows nothing of the starts before a job added
    // again: a delivery of such a job past MAX_STARTS (its worker lost too) is refused here.
    if (startsBefore > 0 && delivery > MAX_STARTS) {
      const error = `delivery ${delivery} of try ${data.tryNumber} refused: the try has started ${delivery - 1} times already, before and after its job was lost from Redis, and a try starts at most ${MAX_STARTS} times`;
      deps.print(`${name}: refused: ${error}`);
      return report({ status: "failed", error, retryable: true }, error);
    }
    const running = deps.tries.add(jobId, data, delivery, new Date());
    try {
      if ((await deps.redis.exists(keys.cancelled(jobId))) > 0) {
        deps.print(`${name}: cancelled before it started`);
        return await report(cancelled());
      }
      const check = await checkPipeline(data, deps.pipelinesDir, deps.host);
      if (!check.ok) {
        const error = check.outcome.status === "failed" ? check.outcome.error : "refused";
        deps.print(`${name}: refused: ${error}`);
        return await report(check.outcome, error);
      }
      const executor = deps.executors[data.kind] as Executor | undefined;
      if (!executor) {
        const error = `worker ${worker} cannot run tasks of kind "${String(data.kind)}"`;
        return await report({ status: "failed", error, retryable: false }, error);
      }
      if (delivery > 1) {
        const jobLost = startsBefore > 0 && job.attemptsStarted <= 1;
        await shipper.say(deliveryHeader(delivery, data.tryNumber, worker, jobLost));
      }
      void deps.registration.beat();
      deps.print(`${name}: started${delivery > 1 ? ` (delivery ${delivery})` : ""}`);
      const execution: TaskExecution = {
        ref: { file: check.file, dagId: data.dagId, taskId: data.taskId },
        context: data.context,
        results: data.results,
        upstream: data.upstream,
        logPath,
        timeoutMs: data.timeoutMs ?? undefined,
        signal: running.controller.signal,
      };
      const startedAt = Date.now();
      let progress: Promise<unknown> = Promise.resolve();
      shipper.start();
      let outcome: TaskOutcome;
      try {
        outcome = await executor.execute(execution, ({ pid }) => {
          const started: QueueJobStarted = {
            host: deps.host,
            pid,
            delivery,
            startedAt: new Date().toISOString(),
          };
          // Caught now: a rejection (Redis closed under a stopping worker) must not go unhandled.
          progress = job.updateProgress(started as unknown as object).catch(() => undefined);
        });
      } catch (error) {
        outcome = failed(describeThrown(error));
      }
      await progress;
      await shipper.finish();
      const took = formatDuration(Date.now() - startedAt);
      if (running.lost !== undefined) {
        deps.print(`${name}: stopped after ${took}: ${running.lost}`);
        await shipper.say(`flow: worker ${worker} stopped the try: ${running.lost}\n`);
        return deps.letGo();
      }
      if (running.handBack && outcome.status === "failed") {
        deps.print(`${name}: stopped after ${took}, handed back to the queue`);
        await shipper.say(
          `flow: worker ${worker} stopped before the try ended; the try goes back to the queue and starts over on another worker\n`,
        );
        return await deps.handBack(job, token);
      }
      deps.print(`${name}: ${describeOutcome(outcome, took)}`);
      return await report(outcome);
    } finally {
      await rm(logPath, { force: true });
      // Last, with no await after it: BullMQ stops renewing this job's lock (by its id) as soon
      // as the processor returns, before any other I/O of this process, so the registry cannot
      // stop listing the try (and a driver add its job again) while BullMQ still tracks it.
      deps.tries.remove(running);
      void deps.registration.beat();
    }
  };
}

/** `success in 2s`, `failed in 1s: exit code 1`, `skipped in 3ms: exit code 99 (skip)`. */
export function describeOutcome(outcome: TaskOutcome, took: string): string {
  if (outcome.status === "failed") return `failed in ${took}: ${outcome.error}`;
  if (outcome.status === "skipped") return `skipped in ${took}: ${outcome.reason}`;
  return `${outcome.status === "reschedule" ? "up_for_reschedule" : "success"} in ${took}`;
}
