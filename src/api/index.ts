/**
 * The authoring API: what a pipeline module imports from "flow".
 *
 *   import { dag, bash, fn, chain } from "flow";
 *
 * Keep this module free of heavy imports: every pipeline file loads it.
 */
import type { TaskRole } from "../core/dag.js";
import { HTTP_SETTING_NAMES, httpSettingProblems } from "../core/http-settings.js";
import { splitKindSettings } from "../core/kind-settings.js";
import type { HttpOptions, HttpSettings } from "./http-types.js";
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
  type TaskInit,
  type TaskOptions,
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
export type {
  Connection,
  ConnectionLookup,
  RunContext,
  RunType,
  TaskContext,
  TaskLogger,
} from "./context.js";
export type { FromContext, HttpOptions, HttpResponse, HttpSettings } from "./http-types.js";
export type { TriggerRule } from "../core/dag.js";
export type { Json } from "../core/json.js";
export { Task, DagDefinition } from "./definitions.js";
export { SkipTask, FailTask } from "./signals.js";

type AnyOptions = FunctionOptions & Partial<BashSettings>;

// The option names that are not task options: dependencies, callbacks, bash settings.
const NOT_TASK_OPTIONS = new Set([
  "upstream",
  "downstream",
  "onSuccess",
  "onFailure",
  "onRetry",
  "cwd",
  "env",
  "skipExitCode",
  "noRetryExitCodes",
]);

// Splits what the factories accept into the parts a Task keeps apart. One pass over the keys
// given (usually none or a few): a generated 10,000-task DAG makes 10,000 calls (bench W6).
function split(options: AnyOptions): {
  options: TaskOptions;
  callbacks: TaskCallbacks;
  bash: BashSettings;
} {
  const taskOptions: Record<string, unknown> = {};
  const callbacks: TaskCallbacks = {};
  const bash: BashSettings = {};
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    if (!NOT_TASK_OPTIONS.has(key)) {
      taskOptions[key] = options[key as keyof AnyOptions];
      continue;
    }
    const value = options[key as keyof AnyOptions];
    if (key === "onSuccess" || key === "onFailure" || key === "onRetry") {
      if (value) callbacks[key] = value as TaskCallbacks[typeof key];
    } else if (
      key === "cwd" ||
      key === "env" ||
      key === "skipExitCode" ||
      key === "noRetryExitCodes"
    ) {
      if (value !== undefined) (bash as Record<string, unknown>)[key] = value;
    }
  }
  return { options: taskOptions as TaskOptions, callbacks, bash };
}

// Builds a task from a factory's arguments and records its declared dependencies.
function makeTask(
  id: string,
  kind: Task["kind"],
  role: TaskRole,
  options: AnyOptions,
  body: { command?: BashCommand; run?: TaskFunction; problems?: readonly string[] },
): Task {
  const parts = split(options);
  const init: TaskInit = {
    id,
    kind,
    role,
    options: parts.options,
    callbacks: parts.callbacks,
    command: body.command,
    run: body.run,
    bash: kind === "bash" ? parts.bash : undefined,
    ...(body.problems && body.problems.length > 0 && { problems: body.problems }),
  };
  const task = new Task(init);
  // Task objects are linked both ways (a DAG listing one task finds its neighbours); ids stay
  // references for buildDag to check.
  for (const ref of options.upstream ?? []) {
    if (ref instanceof Task) link(ref, task);
    else task.upstreamRefs.push(ref);
  }
  for (const ref of options.downstream ?? []) {
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
    if (Array.isArray(after)) for (const task of after) linkAfter(before, task);
    else linkAfter(before, after);
  }
}

function linkAfter(before: Task | Task[], task: Task): void {
  if (Array.isArray(before)) for (const previous of before) link(previous, task);
  else link(before, task);
}

/**
 * A task that makes one HTTP request with Node's fetch (Airflow's HttpOperator): to `url`, or to
 * a connection's base URL plus `path`. A status outside `expectedStatus` (default 2xx), a
 * `check` returning false, or no response at all fails the try. The body becomes the task's
 * result (`responseAs`) or a file (`saveTo`). Its settings are checked when the pipeline loads.
 */
export function http(id: string, options: HttpOptions): Task {
  const { settings, rest, problems } = splitKindSettings(
    options as unknown as Record<string, unknown>,
    HTTP_SETTING_NAMES,
  );
  const run: TaskFunction = async (ctx) =>
    (await import("../tasks/http/run-http-task.js")).runHttpTask(settings as HttpSettings, ctx);
  return makeTask(id, "function", "plain", rest as AnyOptions, {
    run,
    problems: [...problems, ...httpSettingProblems(settings)],
  });
}

/** Declares a DAG. Export it (default or named) from a module in `pipelines/`. */
export function dag(options: DagOptions): DagDefinition {
  return new DagDefinition(options);
}
