import { RUN_STATES, isTaskState } from "../core/states.js";

// Checks what flow relies on when it reads a run back, not every field: enough to turn a
// hand-edited or truncated-then-"fixed" file into a clear error instead of a crash later on.

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === "string";
}

/** Why `value` is not a persisted task instance, or undefined when it is one. */
export function findTaskInstanceProblem(value: unknown, where: string): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  if (typeof value.task_id !== "string") return `${where}.task_id is not a string`;
  if (!isTaskState(value.state))
    return `${where}.state ${JSON.stringify(value.state)} is not a task state`;
  if (!Number.isInteger(value.try_number)) return `${where}.try_number is not an integer`;
  if (value.state === "up_for_reschedule" && typeof value.next_try_at !== "string")
    return `${where}.next_try_at is not a string (an up_for_reschedule task needs its next poke)`;
  if (value.sensor_start !== undefined && typeof value.sensor_start !== "string")
    return `${where}.sensor_start is not a string`;
  return undefined;
}

/** Why `value` is not a run without its tasks (a journal `run` line), or undefined. */
export function findRunFieldsProblem(value: unknown, where: string): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  for (const key of ["dag_id", "run_id", "run_type", "logical_date"] as const) {
    if (typeof value[key] !== "string") return `${where}.${key} is not a string`;
  }
  if (!(RUN_STATES as readonly unknown[]).includes(value.state)) {
    return `${where}.state ${JSON.stringify(value.state)} is not a run state`;
  }
  for (const key of ["start", "end", "reason"] as const) {
    if (!isStringOrNull(value[key])) return `${where}.${key} is not a string or null`;
  }
  if (!isObject(value.params)) return `${where}.params is not an object`;
  if (value.owner !== null && !isObject(value.owner))
    return `${where}.owner is not an object or null`;
  return undefined;
}

/** Why `value` is not a persisted run with its tasks, or undefined when it is one. */
export function findDagRunProblem(value: unknown, where: string): string | undefined {
  const problem = findRunFieldsProblem(value, where);
  if (problem !== undefined) return problem;
  const tasks = (value as Obj).tasks;
  if (!isObject(tasks)) return `${where}.tasks is not an object`;
  for (const [taskId, instance] of Object.entries(tasks)) {
    const taskProblem = findTaskInstanceProblem(instance, `${where}.tasks.${taskId}`);
    if (taskProblem !== undefined) return taskProblem;
  }
  return undefined;
}
