import type { Connection } from "../core/connection.js";
import type { DagLookup } from "../core/external-target.js";
import type { RunContext } from "../core/context.js";
import type { Json } from "../core/json.js";
import type { TaskState } from "../core/states.js";

/**
 * What a task knows about the run it belongs to. The same values reach bash tasks as `FLOW_*`
 * environment variables (see README, "The run context"). Defined in the core, which builds it.
 */
export type { RunContext } from "../core/context.js";
export type { RunType } from "../core/run.js";
export type { Connection } from "../core/connection.js";
export type { DagLookup } from "../core/external-target.js";

/** Looks a connection up by id; its password and tokens are masked (`***`) in the try's log. */
export type ConnectionLookup = (id: string) => Connection;

/** Writes lines to the task's log file for the current try. */
export interface TaskLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * What flow itself offers a running task, read-only: where its pipeline lives, the state of
 * other DAGs' runs and what DAGs the pipelines define (what externalTask() waits for and checks).
 * It never writes flow's state. On a `flow worker` (no state dir) both methods reject.
 */
export interface TaskRuntime {
  /** Absolute path of the folder of the pipeline file that defines the task. */
  readonly pipelineDir: string;
  /**
   * The state of task `taskId` in the run of DAG `dagId` whose logical date is `logicalDate`
   * (ISO), or undefined when there is no such run or task. With several runs of that date
   * (manual runs), a scheduled or backfill run wins, else the last one queued.
   */
  taskState(dagId: string, taskId: string, logicalDate: string): Promise<TaskState | undefined>;
  /**
   * DAG `dagId` as the pipelines folder defines it now: its task ids, or that no pipeline defines
   * it (with the DAGs there are), or why it cannot be read now (an import error, an invalid DAG).
   * Tells a task that does not exist from one whose run is not there yet (taskState: undefined).
   */
  findDag(dagId: string): Promise<DagLookup>;
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
  /** flow's own services for the task: its pipeline's folder, other runs' states (read-only). */
  readonly runtime: TaskRuntime;
}
