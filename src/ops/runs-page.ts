import type { Dag } from "../core/dag.js";
import type { ShownRun } from "../core/lost-run.js";
import type { DagRun } from "../core/run.js";
import { UsageError } from "../errors.js";
import type { StateReader } from "../store/state-store.js";
import { loadDag } from "./load-dag.js";
import { dagSourceOf, showLostTries } from "./lost-tries-view.js";
import { openStoreForReading } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/** Which runs of a listing: skip `offset` of them, then at most `limit`. */
export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
}

/** One page of a DAG's runs, newest first, and how many runs the DAG has in all. */
export interface RunsPage<R extends DagRun = ShownRun> {
  readonly total: number;
  readonly runs: readonly R[];
}

/**
 * A page of the DAG's runs, newest logical date first (ties: the greater run id first), with a
 * dead owner's unfinished tries shown as lost. Reads only the runs of the page. `dag`, when the
 * caller has loaded it, spares loading the pipelines for that view.
 */
export async function runsPage(
  workspace: Workspace,
  dagId: string,
  page: PageRequest,
  dag?: Dag,
): Promise<RunsPage> {
  const reader = await openStoreForReading(workspace);
  const { total, runs } = await readRunsPage(reader, dagId, page);
  // No runs: an unknown DAG is an error (loadDag's, so an import error that may define it shows);
  // a DAG that never ran is not.
  if (total === 0 && dag === undefined) await loadDag(workspace, dagId);
  const source = dagSourceOf(workspace, dagId, dag);
  return { total, runs: await showLostTries(reader, runs, source, workspace.now()) };
}

/** A page of the DAG's runs as stored, newest first: the refs are listed, the page's runs read. */
export async function readRunsPage(
  reader: StateReader,
  dagId: string,
  page: PageRequest,
): Promise<RunsPage<DagRun>> {
  assertPage(page);
  const refs = await reader.listRunRefs(dagId);
  const end = Math.max(refs.length - page.offset, 0);
  const wanted = refs.slice(Math.max(end - page.limit, 0), end).reverse();
  const runs = await Promise.all(wanted.map((ref) => reader.getRun(dagId, ref.run_id)));
  // A run listed but gone when read (never in practice: runs are not deleted) is left out.
  return { total: refs.length, runs: runs.filter((run): run is DagRun => run !== undefined) };
}

// A page is whole numbers: offset from 0, limit from 1.
function assertPage(page: PageRequest): void {
  if (!Number.isInteger(page.offset) || page.offset < 0) {
    throw new UsageError(`page offset must be a whole number >= 0, got ${page.offset}`);
  }
  if (!Number.isInteger(page.limit) || page.limit < 1) {
    throw new UsageError(`page limit must be a whole number >= 1, got ${page.limit}`);
  }
}
