import { parseDuration } from "../core/duration.js";
import { describeValue } from "../core/describe-value.js";
import { judgeMissingExternalState } from "../core/external-target.js";
import { isTaskState, type TaskState } from "../core/states.js";
import type { TaskContext } from "./context.js";
import type { Duration, Task } from "./definitions.js";
import { sensorTask, type SensorOptions } from "./sensor.js";
import { FailTask } from "./signals.js";

/** What externalTask() waits for, on top of the sensor options. */
export interface ExternalTaskOptions extends SensorOptions {
  /** The other DAG's id. */
  dag: string;
  /** The task of that DAG to wait for. */
  task: string;
  /**
   * Look at the run whose logical date is this run's minus `delta` (Airflow's execution_delta);
   * default: the run with the same logical date.
   */
  delta?: Duration;
  /** States that mean done. Default ["success"]. */
  allowedStates?: TaskState[];
  /** States that fail the sensor at once, without retry. Default ["failed", "upstream_failed"]. */
  failedStates?: TaskState[];
}

const OWN_OPTIONS = ["dag", "task", "delta", "allowedStates", "failedStates"];

/**
 * A sensor done when task `task` of DAG `dag` is done (Airflow's ExternalTaskSensor) in the run
 * with this run's logical date (or that date minus `delta`): success (or `allowedStates`) is
 * done; failed (or `failedStates`) fails the sensor without retry; anything else, or no such
 * run yet, waits. A DAG or task the pipelines do not define fails it at once, without retry
 * (see judgeMissingExternalState). It reads flow's state dir, never writes it.
 */
export function externalTask(id: string, options: ExternalTaskOptions): Task {
  const given = (options ?? {}) as unknown as Record<string, unknown>;
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = given[name];
    if (typeof value === "string" && value !== "") return value;
    problems.push(`externalTask needs "${name}", a non-empty string; got ${describeValue(value)}`);
    return "";
  };
  const dagId = text("dag");
  const taskId = text("task");
  let deltaMs = 0;
  if (given.delta !== undefined) {
    const ms = parseDuration(given.delta);
    if (ms === undefined)
      problems.push(
        `delta must be a duration such as "1d" or "6h"; got ${describeValue(given.delta)}`,
      );
    else deltaMs = ms;
  }
  const states = (name: string, fallback: readonly TaskState[]): readonly TaskState[] => {
    const value = given[name];
    if (value === undefined) return fallback;
    if (Array.isArray(value) && value.every(isTaskState)) return value;
    problems.push(`${name} must be a list of task states; got ${describeValue(value)}`);
    return fallback;
  };
  const allowed = states("allowedStates", ["success"]);
  const failed = states("failedStates", ["failed", "upstream_failed"]);
  const sensorOptions: Record<string, unknown> = {};
  for (const key of Object.keys(given))
    if (!OWN_OPTIONS.includes(key)) sensorOptions[key] = given[key];

  // Why the task has no state: "no run yet", or a DAG or task that does not exist (FailTask).
  // A poke-mode try (one ctx) reads the pipelines once; the DAG's definition rarely changes.
  const defined = new WeakSet<TaskContext>();
  const whyNoState = async (ctx: TaskContext): Promise<string> => {
    if (defined.has(ctx)) return "no run yet";
    const lookup = await ctx.runtime.findDag(dagId);
    const missing = judgeMissingExternalState(dagId, taskId, lookup);
    if ("fail" in missing) throw new FailTask(missing.fail);
    if (lookup.kind === "defined") defined.add(ctx);
    return missing.wait;
  };
  const poke = async (ctx: TaskContext): Promise<boolean> => {
    const date = new Date(Date.parse(ctx.logicalDate) - deltaMs).toISOString();
    const state = await ctx.runtime.taskState(dagId, taskId, date);
    const what = `task "${taskId}" of dag "${dagId}" (logical date ${date})`;
    ctx.log.info(`${what}: ${state ?? (await whyNoState(ctx))}`);
    if (state !== undefined && failed.includes(state)) throw new FailTask(`${what} is ${state}`);
    return state !== undefined && allowed.includes(state);
  };
  return sensorTask(id, poke, sensorOptions as SensorOptions, problems);
}
