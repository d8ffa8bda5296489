import type { Dag } from "../../../src/core/dag.js";
import type { DagRun, TaskInstance } from "../../../src/core/run.js";
import type { RunEvent } from "../../../src/core/run-event.js";
import type { TaskState } from "../../../src/core/states.js";
import { newRun } from "../../../src/core/transitions.js";
import { instances } from "./dag-fixture.js";

export const LOGICAL_DATE = new Date("2026-01-01T00:00:00.000Z");

/** A run of `dag` (run id manual__x, logical date 2026-01-01) in `state`, its tasks as given. */
export function runOf(
  dag: Dag,
  tasks: Record<string, TaskState | Partial<TaskInstance>> = {},
  fields: Partial<Omit<DagRun, "tasks">> = {},
): DagRun {
  const run = newRun({
    dag,
    runId: "manual__x",
    runType: "manual",
    logicalDate: LOGICAL_DATE,
    dataIntervalStart: LOGICAL_DATE,
    dataIntervalEnd: LOGICAL_DATE,
    queuedAt: LOGICAL_DATE,
    params: {},
  });
  return { ...run, ...fields, tasks: instances(dag, tasks) };
}

/** A try of the task running since `start`: try 1 of its max_tries unless `patch` says otherwise. */
export function runningTry(
  start: string,
  patch: Partial<TaskInstance> = {},
): Partial<TaskInstance> {
  return { state: "running", try_number: 1, start, pid: 42, log_path: "1.log", ...patch };
}

/** What an event says, compactly: "id: state (reason)" per change, ready ids, "id at time" per retry. */
export function describeEvent(event: RunEvent): {
  tasks: string[];
  ready: readonly string[];
  retries: string[];
} {
  return {
    tasks: event.tasks.map(
      (ti) => `${ti.task_id}: ${ti.state}${ti.reason ? ` (${ti.reason})` : ""}`,
    ),
    ready: event.ready,
    retries: event.retries.map((retry) => `${retry.taskId} at ${retry.at}`),
  };
}
