import type { Connection } from "../core/connection.js";
import type { RunContext } from "../core/context.js";
import type { Json } from "../core/json.js";

/**
 * What a task knows about the run it belongs to. The same values reach bash tasks as `FLOW_*`
 * environment variables (see README, "The run context"). Defined in the core, which builds it.
 */
export type { RunContext } from "../core/context.js";
export type { RunType } from "../core/run.js";
export type { Connection } from "../core/connection.js";

/** Looks a connection up by id; its password and tokens are masked (`***`) in the try's log. */
export type ConnectionLookup = (id: string) => Connection;

/** Writes lines to the task's log file for the current try. */
export interface TaskLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
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
  /**
   * The connection `id` (`FLOW_CONN_<ID>`, else the state dir's connections.json). Its secrets
   * are masked in this try's log and reason from then on. An unknown or malformed connection
   * fails the try without retry.
   */
  readonly connection: ConnectionLookup;
  /** Folder of the pipeline file that defines the task: relative paths of http and email. */
  readonly pipelineDir: string;
}
