import type { Dag } from "../core/dag.js";
import { lastAutomatedInterval, timetableOf } from "../core/dag-timetable.js";
import { upcomingRuns, type ScheduledRun } from "../core/timetable-next-run.js";
import type { DataInterval } from "../core/timetable.js";
import { FlowError, EXIT } from "../errors.js";
import type { StateReader } from "../store/state-store.js";
import { loadDag } from "./load-dag.js";
import { openStoreForReading } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/** What `flow next` shows: the DAG, the "now" it was computed for, and the next runs. */
export interface NextRuns {
  readonly dag: Dag;
  readonly now: Date;
  /** Oldest first: overdue ones (catchup on), then future ones; fewer when the schedule ends. */
  readonly runs: readonly ScheduledRun[];
}

/** The next `count` runs the DAG's schedule will create. A DAG without a schedule is a usage error. */
export async function nextRuns(
  workspace: Workspace,
  dagId: string,
  count: number,
): Promise<NextRuns> {
  const { loaded } = await loadDag(workspace, dagId);
  const { dag } = loaded;
  if (timetableOf(dag) === null) {
    throw new FlowError(
      `dag "${dagId}" has no schedule: it runs only when triggered (flow run ${dagId})`,
      { exitCode: EXIT.usage },
    );
  }
  const now = workspace.now();
  const reader = await openStoreForReading(workspace);
  return { dag, now, runs: await upcomingRunsOf(reader, dag, now, count) };
}

/** The next `count` runs of a DAG's schedule as of `now`; none for a DAG without one. */
export async function upcomingRunsOf(
  reader: StateReader,
  dag: Dag,
  now: Date,
  count: number,
): Promise<ScheduledRun[]> {
  const timetable = timetableOf(dag);
  if (timetable === null) return [];
  return upcomingRuns(timetable, {
    lastAutomatedInterval: await readLastAutomatedInterval(reader, dag.id),
    earliest: dag.start === undefined ? null : new Date(dag.start),
    latest: dag.end === undefined ? null : new Date(dag.end),
    catchup: dag.catchup,
    now,
    count,
  });
}

// lastAutomatedInterval, reading only the newest automated run: its id says its type and date.
async function readLastAutomatedInterval(
  reader: StateReader,
  dagId: string,
): Promise<DataInterval | null> {
  const refs = await reader.listRunRefs(dagId);
  for (let i = refs.length - 1; i >= 0; i--) {
    if (refs[i]!.run_type === "manual") continue;
    const run = await reader.getRun(dagId, refs[i]!.run_id);
    if (run !== undefined) return lastAutomatedInterval([run]);
  }
  return null;
}
