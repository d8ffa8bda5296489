import type { Dag } from "./dag.js";
import type { DagRun } from "./run.js";
import { isRunFinished, isSuccessState, type TaskState } from "./states.js";

/**
 * What `dependsOnPast` says about one task now (Airflow's PrevDagrunDep): met (it may start),
 * wait (its instance in the previous run is not finished yet) or blocked (that instance finished
 * without success, or the previous run ended without running it: the task may not run until
 * someone fixes the previous run, e.g. with `flow retry`).
 */
export type PastDecision =
  | { readonly kind: "met" }
  | {
      readonly kind: "wait" | "blocked";
      /** The previous run. */
      readonly runId: string;
      /** The task's state in it ("none" when it never ran). */
      readonly state: TaskState;
    };

/** The part of the previous run the decision needs. */
export type PreviousRun = Pick<DagRun, "run_id" | "state" | "tasks">;

const MET: PastDecision = { kind: "met" };

/**
 * The run whose logical date is the greatest before `logicalDate`, of any run type (Airflow with
 * catchup ignores manual runs; flow does not, so a manual run can unblock the next one). Ties
 * (two runs on the same logical date) go to the last by run id, as `listRuns` orders them.
 * Undefined when there is none: the first run, whose dependsOnPast tasks are always met.
 */
export function findPreviousRun<R extends Pick<DagRun, "logical_date" | "run_id">>(
  runs: readonly R[],
  logicalDate: string,
): R | undefined {
  const before = Date.parse(logicalDate);
  let previous: R | undefined;
  let previousAt = -Infinity;
  for (const run of runs) {
    const at = Date.parse(run.logical_date);
    if (at >= before) continue;
    if (
      at > previousAt ||
      (at === previousAt && previous !== undefined && run.run_id > previous.run_id)
    ) {
      previous = run;
      previousAt = at;
    }
  }
  return previous;
}

/**
 * The decision for every task of `dag` with `dependsOnPast`, given the previous run (undefined:
 * there is none). Met when there is no previous run, the task had no instance in it (added to the
 * DAG since), or its instance there is success or skipped. Blocked when that instance is failed,
 * upstream_failed or removed, or is unfinished in a run that has ended (it will not run unless the
 * run is cleared). Wait otherwise: the previous run is queued or running and may still run it.
 */
export function decideDependsOnPast(
  dag: Dag,
  previous: PreviousRun | undefined,
): ReadonlyMap<string, PastDecision> {
  const decisions = new Map<string, PastDecision>();
  for (const spec of dag.tasks.values()) {
    if (!spec.dependsOnPast) continue;
    const instance =
      previous !== undefined && Object.hasOwn(previous.tasks, spec.id)
        ? previous.tasks[spec.id]
        : undefined;
    if (previous === undefined || instance === undefined || isSuccessState(instance.state)) {
      decisions.set(spec.id, MET);
      continue;
    }
    const { state } = instance;
    const finished = state === "failed" || state === "upstream_failed" || state === "removed";
    const kind = finished || isRunFinished(previous.state) ? "blocked" : "wait";
    decisions.set(spec.id, { kind, runId: previous.run_id, state });
  }
  return decisions;
}

/** Why a blocked task may not run, for its reason and the run's: `it is failed in the previous run X ...`. */
export function describePastBlock(decision: Exclude<PastDecision, { kind: "met" }>): string {
  const how = decision.state === "none" ? "never ran" : `is ${decision.state}`;
  return `it ${how} in the previous run ${decision.runId} (flow retry that run, then this one)`;
}
