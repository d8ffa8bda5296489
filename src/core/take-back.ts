import { skipForFailFast } from "./branching.js";
import type { Dag } from "./dag.js";
import type { TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import type { RunHalt } from "./run-halt.js";
import { settleRun } from "./settle.js";
import { copyTaskTable } from "./task-table.js";
import type { UpstreamTally } from "./upstream-tally.js";

/**
 * The event "a try queued to start after another never started" (see TryFollow): its task goes
 * back to `before`, its instance before that try, and is decided again as if it had never been
 * queued: by the trigger rules (the try it followed failed: upstream_failed), and, when the run
 * halts, by the halt (fail_fast skips it as it skipped every task not started; an interruption
 * or a drain leaves it to run when the run resumes). `tasks` still holds the queued try; the
 * event's first task is `before`.
 */
export function takeBackTry(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  before: TaskInstance,
  options: {
    readonly now: Date;
    readonly halt: RunHalt | undefined;
    readonly held?: ReadonlySet<string>;
    readonly tally?: UpstreamTally;
  },
): RunEvent {
  const { now, halt, held, tally } = options;
  if (halt !== undefined && halt.kind !== "fail_fast")
    return { tasks: [before], run: null, ready: [], retries: [] };
  const pending = [before];
  const only = [before.task_id];
  const settled = settleRun(dag, tasks, {
    now,
    only,
    pending,
    ...(held && { held }),
    ...(tally && { tally }),
  });
  const changed = [before, ...settled.changed];
  if (halt === undefined)
    return { tasks: changed, run: null, ready: settled.ready, retries: settled.waitingForRetry };
  const table = copyTaskTable(tasks);
  for (const instance of changed) table[instance.task_id] = instance;
  const skipped = skipForFailFast(dag, table, halt.failed);
  return { tasks: [...changed, ...skipped], run: null, ready: [], retries: [] };
}
