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
  type BashCommand,
  type BashOptions,
  type DagOptions,
  type FunctionOptions,
  type TaskFunction,
  type TaskRef,
} from "./definitions.js";

export type {
  BashCommand,
  BashOptions,
  DagOptions,
  Duration,
  FunctionOptions,
  TaskFunction,
  TaskOptions,
  TaskRef,
  DependencyOptions,
} from "./definitions.js";
export type { RunContext, RunType, TaskContext, TaskLogger } from "./context.js";
export type { TriggerRule } from "../core/dag.js";
export type { Json } from "../core/json.js";
export { Task, DagDefinition } from "./definitions.js";

function withDependencies(
  task: Task,
  options: { upstream?: TaskRef[]; downstream?: TaskRef[] },
): Task {
  task.upstreamRefs.push(...(options.upstream ?? []));
  task.downstreamRefs.push(...(options.downstream ?? []));
  return task;
}

/** A task that runs a shell command with bash. The command may be computed from the run context. */
export function bash(id: string, command: BashCommand, options: BashOptions = {}): Task {
  const { upstream, downstream, cwd, env, ...taskOptions } = options;
  const shell: { cwd?: string; env?: Record<string, string> } = {};
  if (cwd !== undefined) shell.cwd = cwd;
  if (env !== undefined) shell.env = env;
  return withDependencies(new Task(id, "bash", taskOptions, command, undefined, shell), {
    upstream,
    downstream,
  });
}

/**
 * A task that calls an async function with the run context. Its JSON-serialisable return value
 * is the task's result, readable by downstream tasks as `ctx.upstream[id]` or `ctx.pull(id)`.
 */
export function fn(id: string, run: TaskFunction, options: FunctionOptions = {}): Task {
  const { upstream, downstream, ...taskOptions } = options;
  return withDependencies(new Task(id, "function", taskOptions, undefined, run), {
    upstream,
    downstream,
  });
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
      task.upstreamRefs.push(...(Array.isArray(before) ? before : [before]));
    }
  }
}

/** Declares a DAG. Export it (default or named) from a module in `pipelines/`. */
export function dag(options: DagOptions): DagDefinition {
  return new DagDefinition(options);
}
