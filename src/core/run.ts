import type { Json } from "./json.js";
import type { RunState, TaskState } from "./states.js";

/**
 * Why a run exists; also the prefix of its run id. Defined here, not in src/api, because core
 * may not import outside src/core (eslint); src/api/context.ts declares the same union.
 */
export type RunType = "manual" | "scheduled" | "backfill";

/**
 * One task inside one run (Airflow's task instance), as persisted in the state file.
 * Field names are the state file's: snake_case, the words Airflow users know.
 */
export interface TaskInstance {
  readonly task_id: string;
  readonly state: TaskState;
  /** Tries started so far: 0 before the first, 1 during and after the first, ... */
  readonly try_number: number;
  /** retries + 1 */
  readonly max_tries: number;
  readonly start: string | null;
  readonly end: string | null;
  readonly duration_ms: number | null;
  /** Exit code of the last try of a bash task. */
  readonly exit_code: number | null;
  /** Why the last try failed, or why the task was skipped or is upstream_failed. */
  readonly reason: string | null;
  /** Process id of the running try (bash tasks), or of the flow process (function tasks). */
  readonly pid: number | null;
  /** When an up_for_retry task may start its next try, or an up_for_reschedule sensor poke. */
  readonly next_try_at: string | null;
  readonly log_path: string | null;
  /**
   * Tries stopped by an interruption of flow (Ctrl-C, SIGTERM): counted in try_number (each has
   * its log) and given back in max_tries, and shown apart so that they never read as failures.
   * Absent when none.
   */
  readonly interrupted_tries?: number;
  /**
   * When a reschedule-mode sensor's first poke of this try started: its timeout counts from here,
   * across reschedules and restarts of flow. Absent for other tasks and once a retry starts.
   */
  readonly sensor_start?: string;
  /** Pokes a reschedule-mode sensor made since sensor_start (its exponential backoff's step). */
  readonly sensor_pokes?: number;
  /** The task's return value (XCom `return_value`); absent when it returned nothing. */
  readonly result?: Json;
  /**
   * The queue job that holds this try (`--executor queue`), while it is queued or running:
   * whoever resumes the run awaits that job rather than failing the try as lost. Absent for
   * local tries and once the try ended.
   */
  readonly job_id?: string;
  /** When the try was queued for a worker (its queued timeout counts from here). */
  readonly queued_at?: string;
  /** The host of the worker running the try (`pid` is then that worker's process). */
  readonly hostname?: string;
}

/** The live owner of a running run: lets another flow process tell a crashed run from a busy one. */
export interface RunOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly heartbeat: string;
}

/** One run of a DAG for one data interval (Airflow's DagRun). */
export interface DagRun {
  readonly dag_id: string;
  readonly run_id: string;
  readonly run_type: RunType;
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly state: RunState;
  readonly queued_at: string;
  readonly start: string | null;
  readonly end: string | null;
  /** Why the run failed when no task says so (deadlock, cancelled). */
  readonly reason: string | null;
  readonly params: Readonly<Record<string, Json>>;
  readonly owner: RunOwner | null;
  readonly tasks: Readonly<Record<string, TaskInstance>>;
}

/** Run fields without the task instances: what a run-level update carries. */
export type RunFields = Omit<DagRun, "tasks">;
