import type { Dag } from "../core/dag.js";
import type { ShownRun } from "../core/lost-run.js";
import type { ScheduledRun } from "../core/timetable-next-run.js";
import { StateFileError } from "../errors.js";
import type { ImportError } from "../loader/load-pipelines.js";
import { loadAll } from "./load-dag.js";
import { dagSourceOf, showLostTries } from "./lost-tries-view.js";
import { upcomingRunsOf } from "./next-runs.js";
import { openStoreForReading } from "./open-store.js";
import { readRunsPage } from "./runs-page.js";
import type { Workspace } from "./workspace.js";

/** One DAG as `flow list` and the web view's DAG list show it. */
export interface DagListing {
  readonly dag: Dag;
  /** Its newest runs, newest first, a dead owner's tries shown as lost. */
  readonly lastRuns: readonly ShownRun[];
  /** How many runs it has in all. */
  readonly totalRuns: number;
  /** The next run its schedule will create (due or not); null without a schedule or past its end. */
  readonly nextRun: ScheduledRun | null;
  /** A run file of this DAG flow cannot read (with `perDagStateErrors`): no runs are shown. */
  readonly error?: StateFileError;
}

/** Every DAG that loads, by id, and every pipeline that did not (file and messages). */
export interface DagList {
  readonly dags: readonly DagListing[];
  readonly importErrors: readonly ImportError[];
}

/**
 * The DAGs of the workspace with their last `lastRuns` runs (default 1) and next run, then the
 * import errors. Reads only those runs of each DAG. A state file that cannot be read stops the
 * listing (`flow list`, exit 4), or with `perDagStateErrors` is that DAG's `error` (the web view).
 */
export async function listDags(
  workspace: Workspace,
  options: { readonly lastRuns?: number; readonly perDagStateErrors?: boolean } = {},
): Promise<DagList> {
  const pipelines = await loadAll(workspace);
  const reader = await openStoreForReading(workspace);
  const now = workspace.now();
  const dags: DagListing[] = [];
  const loaded = [...pipelines.dags.values()].sort((a, b) => a.dag.id.localeCompare(b.dag.id));
  for (const { dag } of loaded) {
    try {
      const page = { offset: 0, limit: options.lastRuns ?? 1 };
      const { total, runs } = await readRunsPage(reader, dag.id, page);
      const [nextRun = null] = await upcomingRunsOf(reader, dag, now, 1);
      dags.push({
        dag,
        lastRuns: await showLostTries(
          reader,
          runs,
          dagSourceOf(workspace, dag.id, dag),
          workspace.now(),
        ),
        totalRuns: total,
        nextRun,
      });
    } catch (error) {
      if (!(options.perDagStateErrors && error instanceof StateFileError)) throw error;
      dags.push({ dag, lastRuns: [], totalRuns: 0, nextRun: null, error });
    }
  }
  return { dags, importErrors: pipelines.errors };
}
