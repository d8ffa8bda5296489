import type { Json } from "../core/json.js";

export type RunType = "manual" | "scheduled" | "backfill";

/** Writes lines to the task's log file for the current try. */
export interface TaskLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * What a task knows about the run it belongs to. The same values reach bash tasks as
 * `FLOW_*` environment variables (see README, "Run context").
 */
export interface RunContext {
  readonly dagId: string;
  readonly runId: string;
  readonly runType: RunType;
  readonly taskId: string;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly tryNumber: number;
  readonly maxTries: number;
  /** Start of the data interval, ISO 8601 in UTC (`2026-01-01T00:00:00.000Z`). */
  readonly logicalDate: string;
  /** Logical date as `YYYY-MM-DD`. */
  readonly ds: string;
  /** Logical date as `YYYYMMDD`. */
  readonly dsNodash: string;
  /** Logical date as `YYYY-MM-DDTHH:MM:SS+00:00` (Airflow's `ts`). */
  readonly ts: string;
  /** Logical date as `YYYYMMDDTHHMMSS`. */
  readonly tsNodash: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  /** The DAG's params, overridden by `--param key=value` for this run. */
  readonly params: Readonly<Record<string, Json>>;
}

/** The argument of a function task, and of a bash task's command when it is a function. */
export interface TaskContext extends RunContext {
  /** Results (return values) of the direct upstream tasks that have one, by task id. */
  readonly upstream: Readonly<Record<string, Json>>;
  /** The result of any task of this run (Airflow's `xcom_pull`), or undefined when it has none. */
  pull(taskId: string): Json | undefined;
  readonly log: TaskLogger;
  /** Aborted when the task times out or the run is cancelled. */
  readonly signal: AbortSignal;
}
