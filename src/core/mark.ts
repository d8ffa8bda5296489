import { clearTaskInstance } from "./clear.js";
import type { Dag } from "./dag.js";
import { downstreamClosure, upstreamClosure } from "./graph.js";
import { decideRunOutcome } from "./run-outcome.js";
import type { DagRun, RunFields, TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { settleRun, type Settlement } from "./settle.js";
import { isFailedState } from "./states.js";
import { withIntegrity } from "./run-integrity.js";
import { instanceIn } from "./task-table.js";
import { finishRun } from "./transitions.js";

/** The states a task instance can be marked with by hand (`flow mark`). */
export const MARK_STATES = ["success", "failed", "skipped"] as const;

export type MarkState = (typeof MARK_STATES)[number];

/** What `flow mark` asks for. */
export interface MarkRequest {
  /** The tasks to mark; ids that are not in the run are ignored. */
  readonly taskIds: readonly string[];
  readonly state: MarkState;
  /** Also mark every task upstream of them (Airflow's "mark success, upstream"). */
  readonly upstream?: boolean;
  /** Also mark every task downstream of them. */
  readonly downstream?: boolean;
  /** When the marking happens: the end time of instances that never ended, and of the run. */
  readonly now: Date;
}

/** What marking changes: the instances that differ afterwards, and the run's fields. */
export interface MarkOutcome {
  /** The marked instances and the ones the trigger rules then decided differently, in DAG order. */
  readonly changed: TaskInstance[];
  /** The run afterwards: finished by the leaf rule, or queued when tasks are left to run. */
  readonly run: RunFields;
}

/**
 * Airflow's "mark success / failed / skipped": sets the chosen instances (plus their relatives
 * when asked) to `state` by hand, with reason `marked <state> by hand`, then re-decides the rest
 * of the run by the trigger rules:
 * - failed and upstream_failed instances downstream of a marked task are cleared (as Airflow's
 *   DAG.set_task_instance_state does: back to none, retries restored), so marking a failed task
 *   success lets what failed or never ran because of it run again, and marking it skipped turns
 *   them skipped (all_success). Skipped and successful ones are left alone.
 * - not-yet-run instances are then settled against the new states (a task marked failed makes
 *   its downstream upstream_failed).
 * The run is first made to match the DAG as it is now (integrityChanges: a task added since it
 * was created can be marked, and keeps the run unfinished until it runs; one removed is removed).
 * Then the run: when every instance is finished its state follows the leaf rule
 * (decideRunOutcome); otherwise it goes back to queued, so that `flow run --run`, `flow retry` or
 * the scheduler continues it. A run already finished in that same state keeps its end time.
 * Instances already in `state` are not changed. Running instances are the caller's business
 * (the CLI refuses a run that a live process executes).
 */
export function markTaskInstances(dag: Dag, run: DagRun, request: MarkRequest): MarkOutcome {
  const { changed, run: next } = decideMark(dag, run, request);
  return { changed, run: next };
}

/**
 * markTaskInstances as a RunEvent: the changed instances, then the run's fields, or null when
 * nothing changes (no instance, and the run's state stays). `ready` and `retries` say what the
 * run would start first when it is continued.
 */
export function markTasks(dag: Dag, run: DagRun, request: MarkRequest): RunEvent {
  const { changed, run: next, settlement } = decideMark(dag, run, request);
  return {
    tasks: changed,
    run: changed.length > 0 || next.state !== run.state ? next : null,
    ready: settlement.ready,
    retries: settlement.waitingForRetry,
  };
}

// The marking, with the settlement of the run afterwards (what would start next).
function decideMark(
  dag: Dag,
  run: DagRun,
  request: MarkRequest,
): MarkOutcome & { readonly settlement: Settlement } {
  const { now, state } = request;
  // The run as the DAG is now: tasks added since it was created are in it, removed ones removed.
  const { tasks, changes } = withIntegrity(dag, run.tasks);
  const has = (id: string): boolean => Object.hasOwn(tasks, id) && dag.tasks.has(id);
  const chosen = new Set(request.taskIds.filter(has));
  const seeds = [...chosen];
  if (request.upstream) for (const id of upstreamClosure(dag, seeds)) chosen.add(id);
  if (request.downstream) for (const id of downstreamClosure(dag, seeds)) chosen.add(id);

  const marked = [...chosen].filter((id) => has(id) && tasks[id]!.state !== state);
  for (const id of marked) tasks[id] = markByHand(tasks[id]!, state, now);
  for (const id of downstreamClosure(dag, marked)) {
    const instance = has(id) ? tasks[id]! : undefined;
    const spec = dag.tasks.get(id);
    if (instance && spec && !chosen.has(id) && isFailedState(instance.state))
      tasks[id] = clearTaskInstance(instance, spec);
  }
  const settlement = settleRun(dag, tasks, { now });
  for (const instance of settlement.changed) tasks[instance.task_id] = instance;

  // A task added since the run was created and still with no state is no news: the run makes
  // its instance when it is executed again.
  const changed = [...dag.tasks.keys()].filter((id) => {
    const was = instanceIn(run.tasks, id);
    return was === undefined ? tasks[id]!.state !== "none" : !sameInstance(was, tasks[id]!);
  });
  // Instances of tasks gone from the DAG, now removed, come last (integrityChanges' order).
  for (const instance of changes)
    if (!dag.tasks.has(instance.task_id)) changed.push(instance.task_id);
  const { tasks: _tasks, ...fields } = run;
  const outcome = decideRunOutcome(dag, tasks, {
    ready: settlement.ready.length,
    running: 0,
    waitingForRetry: settlement.waitingForRetry.length,
  });
  let next: RunFields;
  if (outcome.state === "running")
    next = { ...fields, state: "queued", end: null, reason: null, owner: null };
  else {
    const reason = outcome.state === "failed" ? outcome.reason : null;
    next =
      outcome.state === run.state && run.end !== null
        ? { ...fields, reason, owner: null }
        : finishRun(fields, now, outcome.state, reason);
  }
  return { changed: changed.map((id) => tasks[id]!), run: next, settlement };
}

// The instance set to `state` by hand: it ends now if it never ended; tries and result are kept.
function markByHand(instance: TaskInstance, state: MarkState, now: Date): TaskInstance {
  return {
    ...instance,
    state,
    reason: `marked ${state} by hand`,
    end: instance.end ?? now.toISOString(),
    pid: null,
    next_try_at: null,
  };
}

function sameInstance(a: TaskInstance, b: TaskInstance): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
