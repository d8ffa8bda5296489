import { clearRun } from "../core/clear.js";
import type { Dag } from "../core/dag.js";
import type { DagRun } from "../core/run.js";
import type { RunWriter } from "../store/state-store.js";
import { writeRunEvent } from "../store/write-run-event.js";

/**
 * Clears `taskIds` in the run an open writer holds and puts the run back to queued at `now`
 * (flow clear, flow retry and backfill's reruns all clear through here). Returns the run after.
 */
export function clearTasks(
  dag: Dag,
  writer: RunWriter,
  taskIds: readonly string[],
  now: Date,
): DagRun {
  const cleared = clearRun(dag, writer.run, taskIds, now);
  const { tasks, ...fields } = cleared;
  const changed = taskIds.flatMap((id) => (Object.hasOwn(tasks, id) ? [tasks[id]!] : []));
  writeRunEvent(writer, { tasks: changed, run: fields });
  return cleared;
}
