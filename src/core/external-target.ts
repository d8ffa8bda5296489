import { closest } from "./did-you-mean.js";

/** A DAG as the pipelines folder defines it now: what `ctx.runtime.findDag(dagId)` answers. */
export type DagLookup =
  /** A valid DAG; its task ids in the order the DAG lists them. */
  | { readonly kind: "defined"; readonly taskIds: readonly string[] }
  /** No pipeline defines it, and every pipeline file imported; `dagIds` are the DAGs there are. */
  | { readonly kind: "unknown"; readonly dagIds: readonly string[] }
  /** It is invalid, or a pipeline file that failed to import may define it; one line on which. */
  | { readonly kind: "broken"; readonly problem: string };

/** What an externalTask does when its task has no state: wait (the log says why) or fail now. */
export type MissingExternalState = { readonly wait: string } | { readonly fail: string };

// A list longer than this is cut: the reason is one line, and "did you mean" covers typos.
const LISTED = 10;

/**
 * Why task `taskId` of DAG `dagId` has no state, from what the pipelines define (`lookup`).
 * Airflow's ExternalTaskSensor fails at once on a DAG or task that does not exist only with
 * `check_existence=True`, since its DAG processor may not have parsed the other file yet; flow
 * reads the pipelines folder when asked, so an unknown DAG or task is certain and fails at once
 * (a wait could only end in a timeout). A DAG that cannot be read now (a file that fails to
 * import, an invalid DAG) may be fixed during the wait, so the sensor waits and says why.
 * A task of the DAG with no instance in its run (a run created before the task was added) waits
 * too: the run gets the instance when it goes on (see "When the DAG changed since the run").
 */
export function judgeMissingExternalState(
  dagId: string,
  taskId: string,
  lookup: DagLookup,
): MissingExternalState {
  switch (lookup.kind) {
    case "defined":
      if (lookup.taskIds.includes(taskId)) return { wait: "no run yet" };
      return {
        fail: `dag "${dagId}" has no task "${taskId}" (${listNames("tasks", taskId, lookup.taskIds)})`,
      };
    case "unknown":
      return {
        fail: `no pipeline defines dag "${dagId}" (${listNames("dags", dagId, lookup.dagIds)})`,
      };
    case "broken":
      return { wait: `no run yet, and the dag cannot be checked now: ${lookup.problem}` };
  }
}

// `did you mean "x"? tasks: a, b, c`, at most LISTED names.
function listNames(label: string, name: string, known: readonly string[]): string {
  const guess = closest(name, known);
  const shown = known.length > LISTED ? [...known.slice(0, LISTED), "..."] : known;
  const names = known.length === 0 ? `no ${label}` : `${label}: ${shown.join(", ")}`;
  return guess === undefined ? names : `did you mean "${guess}"? ${names}`;
}
