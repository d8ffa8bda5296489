import type { Dag, TaskKind, TaskSpec } from "./dag.js";
import type { TaskInstance } from "./run.js";
import { settleRun } from "./settle.js";
import { instanceIn } from "./task-table.js";

/**
 * Downstream tasks with more upstream tasks than this are not followed: such a join is made
 * ready by one success once in many ends, and checking it at every end cost more than the hop it
 * saves (W3's 25-task layers: 4% slower with them, no faster at a layer's end).
 */
export const MAX_JOIN = 8;

/** At most this many downstream tasks of a leader are looked at (a wide fan-out's first ones). */
export const MAX_LOOKED_AT = 64;

// Per DAG, by kind and task, whether the task has a downstream task chainSuccessor may return (a
// cache, not state: it depends on the DAG alone).
const leaders = new WeakMap<Dag, Map<string, boolean>>();

// A downstream task chainSuccessor may return, as the DAG defines it.
function mayFollow(spec: TaskSpec, kind: TaskKind): boolean {
  return spec.kind === kind && spec.role === "plain" && spec.upstream.length <= MAX_JOIN;
}

/**
 * Whether a try of `taskId` can ever have a chain successor of `kind`: it is plain and has a
 * plain downstream task of `kind` with at most MAX_JOIN upstream tasks among the first
 * MAX_LOOKED_AT. A run asks chainSuccessor only for those (W1's independent tasks never).
 */
export function mayLead(dag: Dag, taskId: string, kind: TaskKind): boolean {
  let known = leaders.get(dag);
  if (known === undefined) leaders.set(dag, (known = new Map()));
  const key = `${kind}\0${taskId}`;
  let may = known.get(key);
  if (may === undefined) {
    const leader = dag.tasks.get(taskId);
    const downstream = leader?.role === "plain" ? leader.downstream.slice(0, MAX_LOOKED_AT) : [];
    may = downstream.some((id) => mayFollow(dag.tasks.get(id)!, kind));
    known.set(key, may);
  }
  return may;
}

/**
 * The task a running try of `leaderId` makes ready by succeeding, with nothing else changed: the
 * first direct downstream task (sorted, among the first MAX_LOOKED_AT) of `kind`, plain, in state
 * none, not `held`, with at most MAX_JOIN upstream tasks, whose other upstream tasks have all
 * succeeded and whose trigger rule then says run, and not before (a task ready already waits for
 * a slot in the runner's queue). Undefined when there is none, and for a leader whose end
 * decides more than its own state (a branch, a short-circuit, a sensor).
 *
 * The runner hands it to the executor to start in the lane the leader frees, only if the leader
 * exits 0 (docs/adr/0009-dispatch-ahead.md): a chain's next task starts without waiting for
 * flow to record the end of the one before. Airflow's task runner does the like after a task
 * ends (`schedule_after_task_execution`); flow decides it before.
 */
export function chainSuccessor(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  leaderId: string,
  options: { readonly kind: TaskKind; readonly now: Date; readonly held?: ReadonlySet<string> },
): string | undefined {
  const leader = dag.tasks.get(leaderId);
  const current = instanceIn(tasks, leaderId);
  if (leader === undefined || leader.role !== "plain" || current?.state !== "running")
    return undefined;
  const { downstream } = leader;
  for (let d = 0; d < downstream.length && d < MAX_LOOKED_AT; d++) {
    const id = downstream[d]!;
    const spec = dag.tasks.get(id)!;
    if (!mayFollow(spec, options.kind) || options.held?.has(id)) continue;
    if (instanceIn(tasks, id)?.state !== "none") continue;
    // From the last: tasks start in the DAG's order, so one not done is most likely there.
    let othersDone = true;
    for (let i = spec.upstream.length - 1; i >= 0 && othersDone; i--) {
      const upstream = spec.upstream[i]!;
      othersDone = upstream === leaderId || instanceIn(tasks, upstream)?.state === "success";
    }
    if (!othersDone) continue;
    const { now, held } = options;
    const settle = { now, only: [id], ...(held && { held }) };
    // Ready already (`always`, `one_success`, ...): it waits for a slot, not for the leader.
    if (settleRun(dag, tasks, settle).ready.length > 0) continue;
    const pending = [{ ...current, state: "success" as const }];
    if (settleRun(dag, tasks, { ...settle, pending }).ready.includes(id)) return id;
  }
  return undefined;
}
