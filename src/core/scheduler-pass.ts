import type { Dag } from "./dag.js";
import { lastAutomatedInterval } from "./dag-timetable.js";
import type { DagRun } from "./run.js";
import { dueIntervals, nextScheduledRun, type ScheduledRun } from "./timetable-next-run.js";
import type { Timetable } from "./timetable.js";

/**
 * Runs one scheduler pass creates per DAG at most. A DAG with catchup and a start years ago
 * would otherwise write thousands of runs in one go (lessons-from-peers row 2); the next pass
 * goes on where this one stopped.
 */
export const MAX_RUNS_CREATED_PER_PASS = 100;

/**
 * Whether a run counts toward the DAG's maxActiveRuns: scheduled and manual runs. Backfill runs
 * are counted apart (as Airflow 3 counts backfill runs apart from max_active_runs): `flow
 * backfill` executes them under its own --max-active-runs, and the scheduler picks up the ones
 * left queued (see pickRunsToStart).
 */
export function isSchedulerRun(run: Pick<DagRun, "run_type">): boolean {
  return run.run_type !== "backfill";
}

/** Runs that hold one of the DAG's maxActiveRuns places: the scheduler's queued and running runs. */
export function activeRuns(runs: readonly DagRun[]): DagRun[] {
  return runs.filter(
    (run) => isSchedulerRun(run) && (run.state === "queued" || run.state === "running"),
  );
}

/** What the schedule asks of one DAG at `now`, given its stored runs. */
export interface RunsToCreate {
  /** Due intervals without a run yet, oldest first, within the limits. */
  readonly create: readonly ScheduledRun[];
  /** Due intervals left for a later pass because of maxActiveRuns or the per-pass cap. */
  readonly deferred: boolean;
  /** When the next run after these becomes due (in the future), or null when the schedule ended. */
  readonly nextDueAt: Date | null;
}

/**
 * Which scheduled runs to create for `dag` at `now`: the due intervals after its last scheduled
 * or backfill run (catchup on: every missed one; off: the latest complete one), minus intervals
 * that already have a scheduled or backfill run, at most `maxActiveRuns` minus its active runs,
 * and at most `cap`.
 */
export function planRunsToCreate(
  dag: Dag,
  timetable: Timetable,
  runs: readonly DagRun[],
  now: Date,
  cap: number = MAX_RUNS_CREATED_PER_PASS,
): RunsToCreate {
  const query = {
    lastAutomatedInterval: lastAutomatedInterval(runs),
    earliest: dag.start === undefined ? null : new Date(dag.start),
    latest: dag.end === undefined ? null : new Date(dag.end),
    catchup: dag.catchup,
    now,
  };
  const room = Math.max(0, Math.min(cap, dag.maxActiveRuns - activeRuns(runs).length));
  const taken = new Set(
    runs.filter((run) => run.run_type !== "manual").map((run) => Date.parse(run.logical_date)),
  );
  const due = dueIntervals(timetable, { ...query, limit: room + 1 }).filter(
    (run) => !taken.has(run.interval.start.getTime()),
  );
  const create = due.slice(0, room);
  const last = create.at(-1)?.interval ?? query.lastAutomatedInterval;
  const next = nextScheduledRun(timetable, { ...query, lastAutomatedInterval: last });
  return {
    create,
    deferred: due.length > create.length,
    nextDueAt: next !== null && next.runAfter > now ? next.runAfter : null,
  };
}

/**
 * The queued runs to start now, oldest logical date first: the queued runs of the DAG that this
 * process is not already executing (nor has `skip`ped), of every type. Scheduled and manual runs
 * fill the DAG's maxActiveRuns; backfill runs (a backfill that was interrupted, a cleared
 * backfill run) have maxActiveRuns places of their own, as Airflow 3 counts backfill runs apart.
 * Runs this process executes count as running. A `flow backfill` running meanwhile loses nothing:
 * a run the scheduler took is a LockError it skips, and the reverse.
 */
export function pickRunsToStart(
  dag: Pick<Dag, "maxActiveRuns">,
  runs: readonly DagRun[],
  executing: ReadonlySet<string>,
  skip: ReadonlySet<string> = new Set(),
): DagRun[] {
  const isBackfill = (run: DagRun): boolean => !isSchedulerRun(run);
  const pick = (ofKind: (run: DagRun) => boolean): DagRun[] => {
    const running = runs.filter(
      (run) => ofKind(run) && (run.state === "running" || executing.has(run.run_id)),
    ).length;
    const room = Math.max(0, dag.maxActiveRuns - running);
    return runs
      .filter(
        (run) =>
          ofKind(run) &&
          run.state === "queued" &&
          !executing.has(run.run_id) &&
          !skip.has(run.run_id),
      )
      .sort((a, b) => Date.parse(a.logical_date) - Date.parse(b.logical_date))
      .slice(0, room);
  };
  return [...pick(isSchedulerRun), ...pick(isBackfill)].sort(
    (a, b) => Date.parse(a.logical_date) - Date.parse(b.logical_date),
  );
}
