import { clearRun, selectTasksToClear, type ClearSelection } from "../core/clear.js";
import type { Dag } from "../core/dag.js";
import type { DagRun, TaskInstance } from "../core/run.js";
import type { RunWriter, StateStore } from "../store/state-store.js";
import { formatState, type ColorOption } from "./render/colors.js";
import { makeTable } from "./render/table.js";

/** The task instances one run would have cleared. */
export interface RunClear {
  readonly run: DagRun;
  readonly taskIds: readonly string[];
}

/** Logical dates a clear covers, both inclusive (Airflow's `--start-date` / `--end-date`). */
export interface DateRange {
  readonly start?: Date;
  readonly end?: Date;
}

/** Runs whose logical date lies in `range` (an open side takes every date). */
export function runsInRange(runs: readonly DagRun[], range: DateRange): DagRun[] {
  return runs.filter((run) => {
    const at = Date.parse(run.logical_date);
    return (
      (range.start === undefined || at >= range.start.getTime()) &&
      (range.end === undefined || at <= range.end.getTime())
    );
  });
}

/**
 * What clearing `selection` in each run would reset, leaving out runs with nothing selected.
 * Instances already in no state are left out: there is nothing to clear in them.
 */
export function planClear(
  dag: Dag,
  runs: readonly DagRun[],
  selection: ClearSelection,
): RunClear[] {
  return runs
    .map((run) => ({
      run,
      taskIds: selectTasksToClear(dag, run, selection).filter(
        (id) => run.tasks[id]?.state !== "none",
      ),
    }))
    .filter((entry) => entry.taskIds.length > 0);
}

/** Number of task instances in a plan. */
export function countInstances(plan: readonly RunClear[]): number {
  return plan.reduce((sum, entry) => sum + entry.taskIds.length, 0);
}

/** The plan as a table: run id, task, its current state and tries. */
export function renderClearPlan(plan: readonly RunClear[], color: ColorOption): string {
  const table = makeTable(["run id", "task", "state", "tries"], { color });
  for (const { run, taskIds } of plan) {
    for (const id of taskIds) {
      const instance: TaskInstance = run.tasks[id]!;
      table.push([
        run.run_id,
        id,
        formatState(instance.state, color),
        instance.try_number === 0 ? "-" : `${instance.try_number}/${instance.max_tries}`,
      ]);
    }
  }
  return table.toString();
}

/**
 * Opens every run of `runIds` for writing, or none: if one is held by another live process
 * (LockError) or cannot be read, the ones already opened are released unchanged and the error
 * is rethrown. Nothing is written here, so a refusal leaves every run as it was.
 */
export async function openAll(
  store: StateStore,
  dagId: string,
  runIds: readonly string[],
): Promise<RunWriter[]> {
  const writers: RunWriter[] = [];
  try {
    for (const runId of runIds) writers.push(await store.openRun(dagId, runId));
    return writers;
  } catch (error) {
    await closeAll(writers);
    throw error;
  }
}

/** Releases every writer, even when one of them fails to close; rethrows the first failure. */
export async function closeAll(writers: readonly RunWriter[]): Promise<void> {
  const results = await Promise.allSettled(writers.map((writer) => writer.close()));
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * Clears `taskIds` in the run an open writer holds and puts the run back to queued at `now`.
 */
export function writeClear(
  dag: Dag,
  writer: RunWriter,
  taskIds: readonly string[],
  now: Date,
): DagRun {
  const cleared = clearRun(dag, writer.run, taskIds, now);
  for (const id of taskIds) {
    const instance = cleared.tasks[id];
    if (instance) writer.saveTask(instance);
  }
  const { tasks: _tasks, ...fields } = cleared;
  writer.saveRun(fields);
  return cleared;
}
