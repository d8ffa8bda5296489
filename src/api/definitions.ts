import type { TaskKind, TaskRole, TriggerRule } from "../core/dag.js";
import type { Json } from "../core/json.js";
import type { ConnectionLookup, RunContext, RunType, TaskContext, TaskLogger } from "./context.js";

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
  /**
   * Start only once this task succeeded (or was skipped) in the previous run of the DAG, the run
   * with the latest logical date before this one's (Airflow's `depends_on_past`). Default false.
   */
  dependsOnPast?: boolean;
  /**
   * With `--executor queue`, the queue this task's tries go to (Airflow's `queue`): only workers
   * started with `flow worker --queue <name>` take them. Default: the driver's `--queue`.
   */
  queue?: string;
}

/** What a task callback gets: the run context of the try, why it failed, and the task's log. */
export interface TaskCallbackContext extends RunContext {
  /** The try's state: success, failed or up_for_retry. */
  readonly state: string;
  /** Why the try failed (`exit code 3`, `Error: ...`); null after a success. */
  readonly error: string | null;
  /** Writes to the log of the try the callback is about. */
  readonly log: TaskLogger;
  /** That try's log file. */
  readonly logPath: string;
  /** A connection by id, as `ctx.connection` in a task; its secrets are masked in the log. */
  readonly connection: ConnectionLookup;
}

export type TaskCallback = (ctx: TaskCallbackContext) => unknown;

/**
 * Called after a try ends (Airflow's on_*_callback). A callback that throws is logged in the
 * task's log and changes nothing.
 */
export interface TaskCallbacks {
  /** The task succeeded. */
  onSuccess?: TaskCallback;
  /** The task failed for good (no tries left, or failed without retry). */
  onFailure?: TaskCallback;
  /** A try failed and the task will be tried again. */
  onRetry?: TaskCallback;
}

/** What a DAG callback gets: the run, its state, and the tasks that failed. */
export interface RunCallbackContext {
  readonly dagId: string;
  readonly runId: string;
  readonly runType: RunType;
  readonly logicalDate: string;
  readonly ds: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  readonly params: Readonly<Record<string, Json>>;
  readonly state: "success" | "failed";
  /** Why the run failed when no task says so (deadlock), else null. */
  readonly reason: string | null;
  /** Ids of the failed and upstream_failed tasks. */
  readonly failedTasks: readonly string[];
  /** Writes to the run's log (`<state>/logs/<dag>/<run>/run.log`). */
  readonly log: TaskLogger;
  /** That file's path. */
  readonly logPath: string;
  /** A connection by id, as `ctx.connection` in a task; its secrets are masked in the log. */
  readonly connection: ConnectionLookup;
}

export type RunCallback = (ctx: RunCallbackContext) => unknown;

/** A task, or the id of a task in the same DAG. */
export type TaskRef = Task | string;

export interface DependencyOptions {
  /** Tasks this one waits for. */
  upstream?: TaskRef[];
  /** Tasks that wait for this one. */
  downstream?: TaskRef[];
}

export type BashCommand = string | ((ctx: TaskContext) => string);

/** What only bash tasks have. */
export interface BashSettings {
  /** Working directory of the command; relative paths are resolved against the pipeline's folder. */
  cwd?: string;
  /** Extra environment variables, on top of flow's `FLOW_*` ones and the parent environment. */
  env?: Record<string, string>;
  /** Exit code meaning "skip me" (Airflow's skip_on_exit_code). Default 99; null: none. */
  skipExitCode?: number | null;
  /** Exit codes that fail the task at once, without its retries (say, 2 for bad input). */
  noRetryExitCodes?: number[];
}

export interface BashOptions extends TaskOptions, TaskCallbacks, DependencyOptions, BashSettings {}

export type TaskFunction = (ctx: TaskContext) => unknown;

export interface FunctionOptions extends TaskOptions, TaskCallbacks, DependencyOptions {}

/** How a Task is made; the factories (`bash`, `fn`, `branch`, `shortCircuit`) fill it in. */
export interface TaskInit {
  readonly id: string;
  readonly kind: TaskKind;
  readonly role?: TaskRole;
  readonly options: TaskOptions;
  readonly callbacks?: TaskCallbacks;
  readonly command?: BashCommand;
  readonly run?: TaskFunction;
  readonly bash?: BashSettings;
  /** Problems of a kind's own settings found when the task was made (reported by the loader). */
  readonly problems?: readonly string[];
}

const TASK = Symbol.for("flow.task");
const NO_PROBLEMS: readonly string[] = Object.freeze([]);
const DAG = Symbol.for("flow.dag");

/** A task in a pipeline. Build it with `bash()` or `fn()`, wire it with `chain()` or its options. */
export class Task {
  readonly [TASK] = true;
  readonly upstreamRefs: TaskRef[] = [];
  readonly downstreamRefs: TaskRef[] = [];

  readonly id: string;
  readonly kind: TaskKind;
  readonly role: TaskRole;
  readonly options: TaskOptions;
  readonly callbacks: TaskCallbacks;
  readonly command: BashCommand | undefined;
  readonly run: TaskFunction | undefined;
  readonly bash: BashSettings;
  readonly problems: readonly string[];

  constructor(init: TaskInit) {
    this.id = init.id;
    this.kind = init.kind;
    this.role = init.role ?? "plain";
    this.options = init.options;
    this.callbacks = init.callbacks ?? {};
    this.command = init.command;
    this.run = init.run;
    this.bash = init.bash ?? {};
    this.problems = init.problems ?? NO_PROBLEMS;
  }

  /**
   * Makes `tasks` wait for this one and returns them: `a.setDownstream(b).setDownstream(c)`.
   * (Not named `then`: that would make a task look like a Promise to `await`.)
   */
  setDownstream<T extends Task | Task[]>(tasks: T): T {
    for (const task of Array.isArray(tasks) ? tasks : [tasks]) link(this, task);
    return tasks;
  }

  /** Makes this task wait for `tasks`; returns this task. */
  setUpstream(...tasks: Task[]): this {
    for (const task of tasks) link(task, this);
    return this;
  }
}

/**
 * Makes `after` wait for `before`, recorded on both tasks so that a DAG listing only its first
 * task still finds the ones after it.
 */
export function link(before: Task, after: Task): void {
  after.upstreamRefs.push(before);
  before.downstreamRefs.push(after);
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
  /**
   * Options and callbacks applied to every task unless the task sets its own (Airflow's
   * `default_args`).
   */
  defaults?: TaskOptions & TaskCallbacks;
  /** The first failed task fails the run: running tasks are stopped, the others skipped. */
  failFast?: boolean;
  /** Called when a run ends in success. */
  onSuccess?: RunCallback;
  /** Called when a run ends failed. */
  onFailure?: RunCallback;
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
