import type { Dag } from "../core/dag.js";
import type { ShownRun } from "../core/lost-run.js";
import { loadDag } from "./load-dag.js";
import { runsPage, type PageRequest } from "./runs-page.js";
import type { Workspace } from "./workspace.js";

/** The web view's grid of a DAG: the DAG itself and one page of its runs, newest first. */
export interface DagGrid {
  readonly dag: Dag;
  readonly total: number;
  readonly runs: readonly ShownRun[];
}

/**
 * The DAG (an unknown id is a NotFoundError) and the runs of `page`, a dead owner's tries shown
 * as lost. Reads only the runs of the page, whatever the size of the history.
 */
export async function dagGrid(
  workspace: Workspace,
  dagId: string,
  page: PageRequest,
): Promise<DagGrid> {
  const { loaded } = await loadDag(workspace, dagId);
  const { total, runs } = await runsPage(workspace, dagId, page, loaded.dag);
  return { dag: loaded.dag, total, runs };
}
