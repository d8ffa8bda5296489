import { dirname } from "node:path";
import type { TaskRuntime } from "../api/context.js";
import type { DagRun } from "../core/run.js";
import type { TaskState } from "../core/states.js";
import type { StateReader } from "../store/state-store.js";

/**
 * The `ctx.runtime` of the tasks of one run (one object per run, not per try): the folder of
 * pipeline `file`, and other runs' task states read through `reader` (reading never writes, so
 * a task can never change flow's state through it). Without a reader, reading states throws.
 */
export function makeTaskRuntime(file: string, reader: StateReader | undefined): TaskRuntime {
  return {
    pipelineDir: dirname(file),
    async taskState(dagId, taskId, logicalDate): Promise<TaskState | undefined> {
      if (reader === undefined) throw new Error("flow's state is not available to this task");
      const run = await runOfDate(reader, dagId, new Date(logicalDate).toISOString());
      const instance = run && Object.hasOwn(run.tasks, taskId) ? run.tasks[taskId] : undefined;
      return instance?.state;
    },
  };
}

// The run of `dagId` with that logical date: a scheduled or backfill one first (there is at most
// one), else the manual run queued last. Refs name runs without reading them: only matches are read.
async function runOfDate(
  reader: StateReader,
  dagId: string,
  logicalDate: string,
): Promise<DagRun | undefined> {
  const refs = (await reader.listRunRefs(dagId)).filter((ref) => ref.logical_date === logicalDate);
  const runs: DagRun[] = [];
  for (const ref of refs) {
    const run = await reader.getRun(dagId, ref.run_id);
    if (run !== undefined) runs.push(run);
  }
  return (
    runs.find((run) => run.run_type !== "manual") ??
    runs.sort((a, b) => (a.queued_at < b.queued_at ? -1 : 1)).at(-1)
  );
}
