import type { Json } from "./json.js";
import type { SensorPolicy } from "./sensor-policy.js";

export type TaskKind = "bash" | "function";

/**
 * What a function task's result means to the runner: nothing (plain), which direct downstream
 * tasks to follow (branch), or whether to go on at all (short_circuit); a sensor's try may also
 * end "not done yet, poke again later" (reschedule mode).
 */
export type TaskRole = "plain" | "branch" | "short_circuit" | "sensor";

export const TRIGGER_RULES = [
  "all_success",
  "all_failed",
  "all_done",
  "all_skipped",
  "one_success",
  "one_failed",
  "one_done",
  "none_failed",
  "none_failed_min_one_success",
  "none_skipped",
  "always",
] as const;

export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** Per-task behaviour, after DAG defaults were applied. Durations are milliseconds. */
export interface TaskPolicy {
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryExponentialBackoff: boolean;
  readonly maxRetryDelayMs: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly triggerRule: TriggerRule;
  /** Start only once this task's instance in the previous run succeeded or was skipped. */
  readonly dependsOnPast: boolean;
  /**
   * The queue its tries go to with `--executor queue` (Airflow's `queue`): workers started with
   * `--queue <name>` take them. Undefined: the driver's `--queue`. Ignored by the local executor.
   */
  readonly queue: string | undefined;
}

/** One task as the core sees it: what it is called, what it waits for, how it behaves. */
export interface TaskSpec extends TaskPolicy {
  readonly id: string;
  readonly kind: TaskKind;
  readonly role: TaskRole;
  /** Direct upstream task ids, sorted. */
  readonly upstream: readonly string[];
  /** Direct downstream task ids, sorted. */
  readonly downstream: readonly string[];
  /** A sensor's options (role "sensor"); undefined for every other task. */
  readonly sensor: SensorPolicy | undefined;
}

/** DAG-level scheduling settings, as written in the pipeline (schedule strings are parsed later). */
export interface DagSchedule {
  /** A cron expression, a preset (`@daily`), a fixed interval (`6h`), or null for manual runs only. */
  readonly schedule: string | null;
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly timezone: string;
  readonly catchup: boolean;
}

/** A validated DAG: plain data, no functions, safe to hand to any pure core function. */
export interface Dag extends DagSchedule {
  readonly id: string;
  /** Pipeline file the DAG came from, relative to the working directory where possible. */
  readonly file: string;
  readonly description: string | undefined;
  readonly tags: readonly string[];
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  /** The first failed task fails the run: running tasks are stopped, the rest skipped. */
  readonly failFast: boolean;
  readonly params: Readonly<Record<string, Json>>;
  /** Tasks by id, in topological order (upstream before downstream, ties by id). */
  readonly tasks: ReadonlyMap<string, TaskSpec>;
}
