/**
 * The authoring API: what a pipeline module imports from "flow".
 *
 *   import { dag, bash, fn, chain } from "flow";
 *
 * Keep this module free of heavy imports: every pipeline file loads it.
 */
import {
  DagDefinition,
  Task,
  link,
  type BashCommand,
  type BashOptions,
  type DagOptions,
  type FunctionOptions,
  type TaskFunction,
} from "./definitions.js";
import { makeTask } from "./make-task.js";
import { bashProblems } from "./bash-settings.js";

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
  DagLookup,
  RunContext,
  RunType,
  TaskContext,
  TaskLogger,
  TaskRuntime,
} from "./context.js";
export type { FromContext, HttpOptions, HttpResponse, HttpSettings } from "./http-types.js";
export type { PokeFunction, PokeResult, SensorOptions } from "./sensor.js";
export type { ExternalTaskOptions } from "./external-task.js";
export type { TimeSensorOptions } from "./time-sensor.js";
export { sensor } from "./sensor.js";
export { fileSensor } from "./file-sensor.js";
export { externalTask } from "./external-task.js";
export { timeSensor } from "./time-sensor.js";
export { httpSensor, type HttpSensorOptions } from "./http-sensor.js";
export type { TriggerRule } from "../core/dag.js";
export type { Json } from "../core/json.js";
export { Task, DagDefinition } from "./definitions.js";
export { SkipTask, FailTask } from "./signals.js";
export { http } from "./http.js";
export { email } from "./email.js";
export type { EmailAlertOptions, EmailOptions, EmailSettings } from "./email-types.js";

/**
 * A task that runs a shell command with bash. The command may be computed from the run context.
 * Exit 0 succeeds, `skipExitCode` (99) skips, `noRetryExitCodes` fail without retry, any other
 * code fails the try.
 */
export function bash(id: string, command: BashCommand, options: BashOptions = {}): Task {
  const problems = bashProblems(command, options ?? {});
  return makeTask(id, "bash", "plain", options, { command, problems });
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

/** Declares a DAG. Export it (default or named) from a module in `pipelines/`. */
export function dag(options: DagOptions): DagDefinition {
  return new DagDefinition(options);
}
