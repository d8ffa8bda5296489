import type { RunContext } from "../core/context.js";
import type { Json } from "../core/json.js";
import type { TaskKind } from "../core/dag.js";
import type { TaskOutcome } from "../executors/executor.js";

/**
 * The contract between the process that drives a run (`flow run`, `retry`, `backfill`,
 * `scheduler` with `--executor queue`) and `flow worker`: what a job carries, what a worker
 * reports, and the Redis keys both use. docs/adr/0008-queue-workers.md explains the choices.
 *
 * The driver stays the one writer of the state dir: a worker never touches it. A job names its
 * task by reference (pipeline path relative to the pipelines folder + a content hash); the worker
 * loads its own copy of that file and refuses a copy that differs.
 */

/** Bumped when a job or a report changes shape: a worker refuses jobs of another version. */
export const PROTOCOL_VERSION = 1;

/** BullMQ's key prefix for flow's queues (BullMQ's own default is `bull`). */
export const KEY_PREFIX = "flow";

/** The queue tasks go to and workers take from unless `--queue` says otherwise (Airflow's name). */
export const DEFAULT_QUEUE = "default";

/** The Redis flow connects to without `--redis` / `FLOW_REDIS_URL`. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * A worker holds a job's lock this long and renews it every half; a worker that stops renewing
 * (killed, frozen, cut off) loses the job, and the stall check of a live worker (every
 * STALLED_INTERVAL_MS) gives it to another one: a killed worker's try is delivered again within
 * about LOCK_DURATION_MS to LOCK_DURATION_MS + 2 x STALLED_INTERVAL_MS (measured ~10 s).
 */
export const LOCK_DURATION_MS = 10_000;
export const STALLED_INTERVAL_MS = 5_000;
/** A try is delivered at most this many extra times after its worker was lost; then it fails. */
export const MAX_STALLED_COUNT = 1;
/**
 * A try starts at most this many times (README, "Delivered at least once"): BullMQ gives a lost
 * worker's job out once more, and a job the driver added again after Redis lost it counts its
 * starts before (a worker refuses its delivery past this).
 */
export const MAX_STARTS = MAX_STALLED_COUNT + 1;

/** Largest job (its JSON: context and upstream results) the driver adds; larger fails the try. */
export const DEFAULT_JOB_SIZE_LIMIT = 512 * 1024;

/** Log bytes per chunk a worker sends back, and chunks it lets pile up before it waits. */
export const LOG_CHUNK_BYTES = 64 * 1024;
export const LOG_CHUNKS_IN_FLIGHT = 256;

/** A worker's entry in the registry lives this long unless renewed (every WORKER_HEARTBEAT_MS). */
export const WORKER_TTL_S = 15;
export const WORKER_HEARTBEAT_MS = 5_000;
/**
 * After Redis lost its data (restarted without it), every live worker has written its registry
 * entry again within this: until then, a worker missing from the registry may still run a try.
 */
export const REGISTRY_REWRITE_MS = WORKER_TTL_S * 1_000;

/** What a job carries: one try of one task, by reference, and the plain data it may read. */
export interface QueueJobData {
  readonly v: typeof PROTOCOL_VERSION;
  readonly kind: TaskKind;
  /** The pipeline file, relative to the pipelines folder, `/`-separated. */
  readonly pipeline: string;
  /** sha256 (hex) of the pipeline file's bytes on the driver's machine. */
  readonly hash: string;
  readonly dagId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly tryNumber: number;
  readonly context: RunContext;
  /** Results of this run's tasks (`ctx.upstream`, `ctx.pull`). */
  readonly results: Readonly<Record<string, Json>>;
  /** Direct upstream task ids. */
  readonly upstream: readonly string[];
  /** The try's time limit, counted from when a worker starts it; null for none. */
  readonly timeoutMs: number | null;
  /** Who made the job: named when a worker's pipeline file differs. */
  readonly origin: { readonly host: string; readonly pid: number; readonly file: string };
  /**
   * Starts of this try before this job existed: its earlier job of the same id was lost from
   * Redis (restarted without its data) and the driver added it again. Deliveries count on from
   * here; absent for a first job.
   */
  readonly startsBefore?: number;
}

/**
 * What a worker sets as the job's progress when it starts the try (BullMQ `updateProgress`):
 * the driver turns a queued try into a running one from it, by event or by reading the job.
 */
export interface QueueJobStarted {
  readonly host: string;
  readonly pid: number;
  /**
   * 1 for the try's first start, 2 when BullMQ delivered it again (its worker was lost) or the
   * driver added its job again (Redis lost it): the job's `startsBefore` plus BullMQ's starts.
   */
  readonly delivery: number;
  readonly startedAt: string;
}

/** A job's return value: the try's outcome and how many log bytes the worker sent with it. */
export interface QueueJobResult {
  readonly outcome: TaskOutcome;
  readonly delivery: number;
  readonly logBytes: number;
  readonly host: string;
  readonly pid: number;
}

/**
 * Redis keys and channels beside BullMQ's own, all under `flow:<queue>:`:
 * - `log(jobId)`: a stream of the try's log, in entries `{d: delivery, o: byte offset, b: bytes}`,
 *   then `{d, end: total bytes}` once the try's output is complete; the driver appends entries to
 *   the try's log file and trims what it wrote;
 * - `logBase(jobId)`: `<delivery>:<bytes>`, written by the driver when a new delivery's log
 *   begins: where in the try's log file that delivery starts (so a restarted driver appends
 *   exactly what it has not written yet);
 * - `cancel`: a pub/sub channel; a message is a job id whose try must stop;
 * - `cancelled(jobId)`: set (with a TTL) when a try is cancelled, for a worker that takes the job later;
 * - `worker(host, pid)`: a worker's registry entry (JSON of WorkerEntry), with a TTL.
 */
export function queueKeys(queue: string) {
  const base = `${KEY_PREFIX}:${queue}`;
  return {
    log: (jobId: string) => `${base}:log:${jobId}`,
    logBase: (jobId: string) => `${base}:logbase:${jobId}`,
    cancel: `${base}:cancel`,
    cancelled: (jobId: string) => `${base}:cancelled:${jobId}`,
    worker: (host: string, pid: number) => `${base}:worker:${host}.${pid}`,
    workerPattern: `${base}:worker:*`,
  };
}

/** Every queue's registry entries, for `flow workers` without `--queue`. */
export const ALL_WORKERS_PATTERN = `${KEY_PREFIX}:*:worker:*`;

/** A live worker as it describes itself in the registry. */
export interface WorkerEntry {
  readonly host: string;
  readonly pid: number;
  readonly queue: string;
  readonly concurrency: number;
  readonly pipelinesDir: string;
  readonly startedAt: string;
  readonly heartbeat: string;
  readonly running: readonly {
    readonly jobId: string;
    readonly dagId: string;
    readonly taskId: string;
    readonly runId: string;
    readonly tryNumber: number;
    /** Which start of the try this is (see QueueJobStarted). */
    readonly delivery: number;
    readonly since: string;
  }[];
}

/** The outcome a driver records for a job that failed in BullMQ itself (not a failed task). */
export function jobFailedOutcome(reason: string): TaskOutcome {
  return { status: "failed", error: `the queue gave up on the try: ${reason}`, retryable: true };
}
