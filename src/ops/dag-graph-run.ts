import type { Dag } from "../core/dag.js";
import type { ShownRun } from "../core/lost-run.js";
import { loadDag } from "./load-dag.js";
import { readRun } from "./read-run.js";
import { runsPage } from "./runs-page.js";
import type { Workspace } from "./workspace.js";

/** A DAG and the run whose states colour its graph: `runId`, else the latest; none without runs. */
export interface DagWithRun {
  readonly dag: Dag;
  readonly run: ShownRun | undefined;
}

/**
 * The DAG (an unknown id is a NotFoundError) and one run of it: `runId` (findRun's rules: an
 * unknown run is a NotFoundError), or the latest run, or none when the DAG has not run yet.
 */
export async function dagWithRun(
  workspace: Workspace,
  dagId: string,
  runId: string | undefined,
): Promise<DagWithRun> {
  const { loaded } = await loadDag(workspace, dagId);
  const { dag } = loaded;
  if (runId !== undefined) return { dag, run: await readRun(workspace, dagId, runId, dag) };
  const { runs } = await runsPage(workspace, dagId, { offset: 0, limit: 1 }, dag);
  return { dag, run: runs[0] };
}
