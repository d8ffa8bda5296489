import type { Dag } from "../core/dag.js";
import { showLostRun, type ShownRun } from "../core/lost-run.js";
import type { DagRun } from "../core/run.js";
import { ownerExited } from "../store/run-access-errors.js";
import type { StateReader } from "../store/state-store.js";
import { loadDag } from "./load-dag.js";
import type { Workspace } from "./workspace.js";

/** The DAG a view may need, loaded once and only when asked; undefined when it does not load. */
export type DagSource = () => Promise<Dag | undefined>;

/**
 * The DAG `dagId` as the views need it: `known` when the caller loaded it already, else the
 * pipelines are loaded on the first call. A DAG that no longer loads gives undefined: its runs
 * are then shown as stored, as before reading stopped writing.
 */
export function dagSourceOf(workspace: Workspace, dagId: string, known?: Dag): DagSource {
  let loading: Promise<Dag | undefined> | undefined;
  return () => {
    loading ??= known
      ? Promise.resolve(known)
      : loadDag(workspace, dagId).then(
          ({ loaded }) => loaded.dag,
          () => undefined,
        );
    return loading;
  };
}

/**
 * The runs as a reader should see them: a run that says running but whose owner died (its lock
 * is missing or stale, the rule openRun uses; or, at once, its owner ran here and has exited)
 * shows its unfinished tries as lost, as the next writer will record them (core showLostRun),
 * without writing anything or taking a lock. They end, and the run is marked `lost`, at the last
 * moment the owner was seen alive (OwnerSighting.lastSeen: its lock's last refresh, or its
 * journal's last write), never after `now` (the workspace's: FLOW_NOW when set). The writer that
 * records the recovery ends them at its own now.
 */
export async function showLostTries(
  reader: StateReader,
  runs: readonly DagRun[],
  dag: DagSource,
  now: Date,
): Promise<ShownRun[]> {
  return Promise.all(runs.map((run) => showLostTriesOfRun(reader, run, dag, now)));
}

async function showLostTriesOfRun(
  reader: StateReader,
  run: DagRun,
  dag: DagSource,
  now: Date,
): Promise<ShownRun> {
  if (run.state !== "running") return run;
  const seen = await reader.inspectOwner(run.dag_id, run.run_id);
  // The lock's owner file records the owner's boot and PID namespace: a run's owner field does not.
  if (!ownerExited(seen.owner ?? run.owner) && seen.live) return run;
  // Read again after the lock check: an owner that closed the run in between released its lock
  // only after writing its last snapshot, so this read shows the run as it left it.
  const current = (await reader.getRun(run.dag_id, run.run_id)) ?? run;
  if (current.state !== "running") return current;
  const loaded = await dag();
  return loaded === undefined ? current : showLostRun(loaded, current, seen.lastSeen, now);
}
