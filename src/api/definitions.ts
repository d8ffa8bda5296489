import type { TaskKind, TriggerRule } from "../core/dag.js";
import type { Json } from "../core/json.js";
import type { TaskContext } from "./context.js";

/** Seconds as a number, or a string with a unit: `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`. */
export type Duration = number | string;

/** Options every task kind takes; a DAG's `defaults` holds the same fields. */
export interface TaskOptions {
  /** How many times to retry a failed try (Airflow's `retries`). Default 0. */
  retries?: number;
  /** Wait before a retry, counted from the end of the failed try. Default 5 minutes (Airflow's). */
  retryDelay?: Duration;
  retryExponentialBackoff?: boolean;
  maxRetryDelay?: Duration;
  /** Per-try time limit (Airflow's `execution_timeout`). */
  timeout?: Duration;
  triggerRule?: TriggerRule;
}

/** A task, or the id of a task in the same DAG. */
export type TaskRef = Task | string;

export interface DependencyOptions {
  /** Tasks this one waits for. */
  upstream?: TaskRef[];
  /** Tasks that wait for this one. */
  downstream?: TaskRef[];
}

export type BashCommand = string | ((ctx: TaskContext) => string);

export interface BashOptions extends TaskOptions, DependencyOptions {
  /** Working directory of the command; relative paths are resolved against the pipeline's folder. */
  cwd?: string;
  /** Extra environment variables, on top of flow's `FLOW_*` ones and the parent environment. */
  env?: Record<string, string>;
}

export type TaskFunction = (ctx: TaskContext) => unknown;

export interface FunctionOptions extends TaskOptions, DependencyOptions {}

const TASK = Symbol.for("flow.task");
const DAG = Symbol.for("flow.dag");

/** A task in a pipeline. Build it with `bash()` or `fn()`, wire it with `chain()` or its options. */
export class Task {
  readonly [TASK] = true;
  readonly upstreamRefs: TaskRef[] = [];
  readonly downstreamRefs: TaskRef[] = [];

  constructor(
    readonly id: string,
    readonly kind: TaskKind,
    readonly options: TaskOptions,
    readonly command?: BashCommand,
    readonly run?: TaskFunction,
    readonly bash?: { cwd?: string; env?: Record<string, string> },
  ) {}

  /**
   * Makes `tasks` wait for this one and returns them: `a.setDownstream(b).setDownstream(c)`.
   * (Not named `then`: that would make a task look like a Promise to `await`.)
   */
  setDownstream<T extends Task | Task[]>(tasks: T): T {
    for (const task of Array.isArray(tasks) ? tasks : [tasks]) task.upstreamRefs.push(this);
    return tasks;
  }

  /** Makes this task wait for `tasks`; returns this task. */
  setUpstream(...tasks: Task[]): this {
    this.upstreamRefs.push(...tasks);
    return this;
  }
}

export interface DagOptions {
  /** Letters, digits, `_`, `-`, `.`; used in file names and run ids. */
  id: string;
  description?: string;
  tags?: string[];
  /** Cron expression, preset (`@daily`), fixed interval (`6h`), or null/omitted: manual runs only. */
  schedule?: string | null;
  /** Start of the first data interval (ISO date or Date). Required when `schedule` is set. */
  start?: string | Date;
  /** No run has a logical date after this. */
  end?: string | Date;
  /** IANA time zone the schedule is read in. Default `UTC`. */
  timezone?: string;
  /** Create runs for intervals missed since the last run (default false; see README, "Catchup"). */
  catchup?: boolean;
  /** Runs of this DAG executing at once. Default 16 (Airflow's). */
  maxActiveRuns?: number;
  /** Tasks of this DAG executing at once, across its runs. Default 16 (Airflow's). */
  maxActiveTasks?: number;
  /** Defaults for `ctx.params`; `flow run --param key=value` overrides them. */
  params?: Record<string, Json>;
  /** Options applied to every task unless the task sets its own (Airflow's `default_args`). */
  defaults?: TaskOptions;
  tasks: Task[];
}

/** What `dag()` returns and a pipeline module exports. */
export class DagDefinition {
  readonly [DAG] = true;
  constructor(readonly options: DagOptions) {}
  get id(): string {
    return this.options.id;
  }
}

export function isTask(value: unknown): value is Task {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TASK] === true
  );
}

/** True for DAG definitions, also those made by another copy of this module. */
export function isDagDefinition(value: unknown): value is DagDefinition {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DAG] === true
  );
}
