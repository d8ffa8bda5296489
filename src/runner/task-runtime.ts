import { dirname } from "node:path";
import type { TaskRuntime } from "../api/context.js";
import type { DagLookup } from "../core/external-target.js";
import type { DagRun } from "../core/run.js";
import type { TaskState } from "../core/states.js";
import type { StateReader } from "../store/state-store.js";

/** Looks a DAG up in the pipelines folder as it is now (ops' findDag over a workspace). */
export type DagFinder = (dagId: string) => Promise<DagLookup>;

/**
 * The `ctx.runtime` of the tasks of one run (one object per run, not per try; `flow test` makes
 * one for its one try): the folder of pipeline `file`, other runs' task states read through
 * `reader` (reading never writes, so a task can never change flow's state through it), and DAG
 * definitions through `findDag`.
 * Without a reader, reading states throws; without `findDag`, looking a DAG up does.
 */
export function makeTaskRuntime(
  file: string,
  reader: StateReader | undefined,
  findDag?: DagFinder,
): TaskRuntime {
  return {
    pipelineDir: dirname(file),
    async taskState(dagId, taskId, logicalDate): Promise<TaskState | undefined> {
      if (reader === undefined) throw new Error("flow's state is not available to this task");
      const run = await runOfDate(reader, dagId, new Date(logicalDate).toISOString());
      const instance = run && Object.hasOwn(run.tasks, taskId) ? run.tasks[taskId] : undefined;
      return instance?.state;
    },
    findDag(dagId): Promise<DagLookup> {
      if (findDag === undefined)
        return Promise.reject(new Error("flow's pipelines are not available to this task"));
      return findDag(dagId);
    },
  };
}

/**
 * The run of `dagId` with that logical date: a scheduled or backfill one first (there is at most
 * one), else the manual run queued last. Refs name runs without reading them: only matches are
 * read. What externalTask() reads, and what `flow test` takes a task's upstream results from.
 */
export async function runOfDate(
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
