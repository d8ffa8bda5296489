/**
 * The authoring API: what a pipeline module imports from "flow".
 *
 *   import { dag, bash, fn, chain } from "flow";
 *
 * Keep this module free of heavy imports: every pipeline file loads it.
 */
import type { TaskRole } from "../core/dag.js";
import {
  DagDefinition,
  Task,
  link,
  type BashCommand,
  type BashOptions,
  type BashSettings,
  type DagOptions,
  type FunctionOptions,
  type TaskCallbacks,
  type TaskFunction,
  type TaskOptions,
  type TaskRef,
} from "./definitions.js";

export type {
  BashCommand,
  BashOptions,
  BashSettings,
  DagOptions,
  Duration,
  FunctionOptions,
  RunCallback,
  RunCallbackContext,
  TaskCallback,
  TaskCallbackContext,
  TaskCallbacks,
  TaskFunction,
  TaskOptions,
  TaskRef,
  DependencyOptions,
} from "./definitions.js";
export type { RunContext, RunType, TaskContext, TaskLogger } from "./context.js";
export type { TriggerRule } from "../core/dag.js";
export type { Json } from "../core/json.js";
export { Task, DagDefinition } from "./definitions.js";
export { SkipTask, FailTask } from "./signals.js";

type AnyOptions = FunctionOptions & Partial<BashSettings>;

// Splits what the factories accept into the parts a Task keeps apart.
function split(options: AnyOptions): {
  options: TaskOptions;
  callbacks: TaskCallbacks;
  bash: BashSettings;
  upstream: TaskRef[];
  downstream: TaskRef[];
} {
  const {
    upstream = [],
    downstream = [],
    onSuccess,
    onFailure,
    onRetry,
    cwd,
    env,
    skipExitCode,
    noRetryExitCodes,
    ...taskOptions
  } = options;
  const callbacks: TaskCallbacks = {};
  if (onSuccess) callbacks.onSuccess = onSuccess;
  if (onFailure) callbacks.onFailure = onFailure;
  if (onRetry) callbacks.onRetry = onRetry;
  const bash: BashSettings = {};
  if (cwd !== undefined) bash.cwd = cwd;
  if (env !== undefined) bash.env = env;
  if (skipExitCode !== undefined) bash.skipExitCode = skipExitCode;
  if (noRetryExitCodes !== undefined) bash.noRetryExitCodes = noRetryExitCodes;
  return { options: taskOptions, callbacks, bash, upstream, downstream };
}

// Builds a task from a factory's arguments and records its declared dependencies.
function makeTask(
  id: string,
  kind: Task["kind"],
  role: TaskRole,
  options: AnyOptions,
  body: { command?: BashCommand; run?: TaskFunction },
): Task {
  const parts = split(options);
  const task = new Task({
    id,
    kind,
    role,
    options: parts.options,
    callbacks: parts.callbacks,
    ...body,
    ...(kind === "bash" && { bash: parts.bash }),
  });
  // Task objects are linked both ways (a DAG listing one task finds its neighbours); ids stay
  // references for buildDag to check.
  for (const ref of parts.upstream) {
    if (ref instanceof Task) link(ref, task);
    else task.upstreamRefs.push(ref);
  }
  for (const ref of parts.downstream) {
    if (ref instanceof Task) link(task, ref);
    else task.downstreamRefs.push(ref);
  }
  return task;
}

/**
 * A task that runs a shell command with bash. The command may be computed from the run context.
 * Exit 0 succeeds, `skipExitCode` (99) skips, `noRetryExitCodes` fail without retry, any other
 * code fails the try.
 */
export function bash(id: string, command: BashCommand, options: BashOptions = {}): Task {
  return makeTask(id, "bash", "plain", options, { command });
}

/**
 * A task that calls an async function with the run context. Its JSON-serialisable return value
 * is the task's result, readable by downstream tasks as `ctx.upstream[id]` or `ctx.pull(id)`.
 * Throw `SkipTask` to skip, `FailTask` to fail without retry.
 */
export function fn(id: string, run: TaskFunction, options: FunctionOptions = {}): Task {
  return makeTask(id, "function", "plain", options, { run });
}

/**
 * A function task that chooses which of its direct downstream tasks run: it returns a task id,
 * a list of ids, or null for none; the others are skipped (Airflow's @task.branch).
 */
export function branch(
  id: string,
  choose: (
    ctx: Parameters<TaskFunction>[0],
  ) => string | string[] | null | Promise<string | string[] | null>,
  options: FunctionOptions = {},
): Task {
  return makeTask(id, "function", "branch", options, { run: choose });
}

/**
 * A function task that decides whether the rest of the DAG runs: when it returns a falsy value,
 * every task downstream of it is skipped (Airflow's ShortCircuitOperator).
 */
export function shortCircuit(
  id: string,
  condition: (ctx: Parameters<TaskFunction>[0]) => unknown,
  options: FunctionOptions = {},
): Task {
  return makeTask(id, "function", "short_circuit", options, { run: condition });
}

/**
 * Wires tasks in sequence: `chain(a, b, c)` is a -> b -> c. An array fans out or in:
 * `chain(extract, [clean, enrich], load)` runs clean and enrich after extract, load after both.
 */
export function chain(...steps: (Task | Task[])[]): void {
  for (let i = 1; i < steps.length; i++) {
    const before = steps[i - 1]!;
    const after = steps[i]!;
    for (const task of Array.isArray(after) ? after : [after]) {
      for (const previous of Array.isArray(before) ? before : [before]) link(previous, task);
    }
  }
}

/** Declares a DAG. Export it (default or named) from a module in `pipelines/`. */
export function dag(options: DagOptions): DagDefinition {
  return new DagDefinition(options);
}
