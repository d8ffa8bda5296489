/** How the driver uses the queue (see openQueueExecutors for the defaults). */
export interface QueueSettings {
  /** The queue's name (workers take from it with `--queue`). */
  readonly queue: string;
  /** The state dir, absolute: part of every job id. */
  readonly stateDir: string;
  /** The pipelines folder, absolute: jobs name pipeline files relative to it. */
  readonly pipelinesDir: string;
  /** This process, named in jobs so that a worker whose pipeline differs can say whose. */
  readonly host: string;
  readonly pid: number;
  /** Largest job in bytes. */
  readonly jobSizeLimit: number;
  /** A try no worker starts within this fails (Airflow's task_queued_timeout). */
  readonly queuedTimeoutMs: number;
  /** How often every try in flight is checked by its job's state. */
  readonly reconcileMs: number;
  /** How long a cancelled try waits for its worker to confirm. */
  readonly cancelWaitMs: number;
  /** A started try whose job has no worker's lock this long fails (its worker is gone). */
  readonly orphanMs: number;
}

/** Airflow's scheduler.task_queued_timeout is 600 s. */
export const DEFAULT_QUEUED_TIMEOUT_MS = 600_000;
export const DEFAULT_RECONCILE_MS = 1_000;
/** Longer than a lost worker's lock (10 s) and two stall checks (5 s): time to be delivered again. */
export const DEFAULT_CANCEL_WAIT_MS = 30_000;
/**
 * A lost worker's try is delivered again within ~10-20 s by another worker's stall check; past
 * this, no worker is left to do it.
 */
export const DEFAULT_ORPHAN_MS = 60_000;
