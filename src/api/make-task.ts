import type { TaskRole } from "../core/dag.js";
import {
  Task,
  link,
  type BashCommand,
  type BashSettings,
  type FunctionOptions,
  type TaskCallbacks,
  type TaskFunction,
  type TaskInit,
  type TaskOptions,
} from "./definitions.js";

export type AnyOptions = FunctionOptions & Partial<BashSettings>;

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

/**
 * Builds a task from a factory's arguments (`bash`, `fn`, `sensor`...) and records its declared
 * dependencies. `problems` are what the factory found wrong in its own arguments: the loader
 * reports them with the DAG's other definition problems.
 */
export function makeTask(
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
