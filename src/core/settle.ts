import type { Dag, TaskSpec } from "./dag.js";
import { MinHeap } from "./min-heap.js";
import type { TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { isWaitingForTime, type TaskState } from "./states.js";
import { explainTrigger } from "./trigger-reason.js";
import { countUpstreamOf, decideTrigger, type UpstreamCounts } from "./trigger-rules.js";
import { instanceIn } from "./task-table.js";
import { markTask } from "./transitions.js";
import { stateIn, type UpstreamDelta, type UpstreamTally } from "./upstream-tally.js";

/** What can happen in a run now. */
export interface Settlement {
  /** Task instances set to skipped or upstream_failed by their trigger rule, in DAG order. */
  readonly changed: TaskInstance[];
  /** Tasks whose trigger rule is met and that may start now, in DAG order. */
  readonly ready: string[];
  /**
   * up_for_retry (and up_for_reschedule) tasks whose trigger rule is met but whose next_try_at
   * has not come yet.
   */
  readonly waitingForRetry: { taskId: string; at: string }[];
}

interface Positions {
  readonly order: readonly string[];
  readonly position: ReadonlyMap<string, number>;
}

// Position of each task in dag.tasks (topological), computed once per Dag so that a call with
// `only` does not pay O(all tasks). A cache, not state: the same Dag always gives the same
// positions, so settleRun stays a function of its arguments.
const cache = new WeakMap<Dag, Positions>();

function positionsOf(dag: Dag): Positions {
  let positions = cache.get(dag);
  if (positions === undefined) {
    const order = [...dag.tasks.keys()];
    positions = { order, position: new Map(order.map((id, i) => [id, i])) };
    cache.set(dag, positions);
  }
  return positions;
}

/**
 * Evaluates task instances in state none, up_for_retry or up_for_reschedule (a sensor between
 * pokes, handled as a retry: it waits for its next_try_at) against their trigger rules, upstream
 * first: all of them, or only the ids in `only` plus the tasks their changes cascade to (a skip or
 * upstream_failed makes its downstream tasks decide again in the same call). Cost is proportional
 * to the tasks visited, so the runner can call it after every task end with only = its downstream.
 * A task of the DAG without a task instance in `tasks` is ignored, and counts as unfinished upstream.
 * A task in `held` (dependsOnPast not met yet) is never ready, nor waiting for a retry; its trigger
 * rule may still set it skipped or upstream_failed, as Airflow's does.
 * `pending` lists changes not in `tasks` yet (an event's earlier changes: the try that ended, the
 * branches it skipped): each replaces its task's instance in `tasks`, the last one winning. It
 * spares a caller from copying the whole table to settle what one event changed.
 * `tally`, when given, holds the upstream counts of `tasks` as they are (the caller keeps it in
 * step with its table): each task visited then reads its counts there, with `pending` and this
 * call's own changes on top, instead of looking up every one of its upstream tasks.
 */
export function settleRun(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  options: {
    now: Date;
    only?: Iterable<string>;
    held?: ReadonlySet<string>;
    pending?: readonly TaskInstance[];
    tally?: UpstreamTally;
  },
): Settlement {
  // The common call after a task with no downstream task ends: nothing to visit.
  if (Array.isArray(options.only) && options.only.length === 0) {
    return { changed: [], ready: [], waitingForRetry: [] };
  }
  const changed = new Map<string, TaskInstance>();
  const ready: string[] = [];
  const waitingForRetry: { taskId: string; at: string }[] = [];
  const pending = options.pending ?? NONE_PENDING;
  const pendingById = pending.length > SCANNED ? indexPending(pending) : undefined;
  // Called for every upstream task of every task visited: the common case (nothing changed in
  // this call, one pending change) skips the lookups that cannot answer.
  const instanceOf = (id: string): TaskInstance | undefined => {
    if (changed.size !== 0) {
      const ti = changed.get(id);
      if (ti !== undefined) return ti;
    }
    if (pending.length !== 0) {
      const ti = pendingById === undefined ? scanPending(pending, id) : pendingById.get(id);
      if (ti !== undefined) return ti;
    }
    return instanceIn(tasks, id);
  };
  const stateOf = (id: string): TaskState => instanceOf(id)?.state ?? "none";
  const { tally } = options;
  // The tally with this call's changes on top, made when a task first needs it: looking up a
  // few upstream tasks costs less than the delta (measured: bench/probes/settle-layers.ts).
  let delta: UpstreamDelta | undefined;
  const upstreamCounts = (spec: TaskSpec): UpstreamCounts => {
    if (tally === undefined || spec.upstream.length < TALLIED_FROM)
      return countUpstreamOf(spec.upstream, stateOf);
    if (delta === undefined) {
      delta = tally.delta();
      // Each pending change replaces its task's instance, the last one winning; then come the
      // changes this call made so far.
      const seen = new Map<string, TaskState>();
      for (const ti of [...pending, ...changed.values()]) {
        const id = ti.task_id;
        const before = seen.has(id) ? seen.get(id) : stateIn(tasks, id);
        delta.change(id, before, ti.state);
        seen.set(id, ti.state);
      }
    }
    return tally.countsOf(spec.id, delta)!;
  };

  const { order, position } = positionsOf(dag);
  // Without `only` every task is queued from the start: a cascade queues nothing new, and the
  // heap would hand out 0, 1, 2... in turn, so a plain walk in DAG order does the same.
  const all = options.only === undefined;
  const queue = new MinHeap<number>((a, b) => a < b);
  const queued = new Set<number>();
  const enqueue = (id: string): void => {
    const i = position.get(id);
    if (all || i === undefined || queued.has(i)) return;
    queued.add(i);
    queue.push(i);
  };
  if (options.only !== undefined) for (const id of options.only) enqueue(id);
  let walked = 0;
  const next = (): number | undefined =>
    all ? (walked < order.length ? walked++ : undefined) : queue.pop();

  const now = options.now.getTime();
  for (let i = next(); i !== undefined; i = next()) {
    const spec = dag.tasks.get(order[i]!)!;
    const ti = instanceOf(spec.id);
    if (ti === undefined || (ti.state !== "none" && !isWaitingForTime(ti.state))) continue;
    const counts = upstreamCounts(spec);
    const decision = decideTrigger(spec.triggerRule, counts);
    if (decision === "run") {
      if (options.held?.has(spec.id)) continue;
      if (ti.state === "none" || ti.next_try_at === null || Date.parse(ti.next_try_at) <= now)
        ready.push(spec.id);
      else waitingForRetry.push({ taskId: spec.id, at: ti.next_try_at });
    } else if (decision !== "wait") {
      const upstream = spec.upstream.map((id) => ({ id, state: stateOf(id) }));
      const state = decision === "skip" ? "skipped" : "upstream_failed";
      delta?.change(spec.id, ti.state, state);
      changed.set(
        spec.id,
        markTask(ti, state, explainTrigger(spec.triggerRule, decision, upstream)),
      );
      spec.downstream.forEach(enqueue);
    }
  }
  // Visited in DAG order, so `changed` (insertion order), `ready` and `waitingForRetry` are too.
  return { changed: [...changed.values()], ready, waitingForRetry };
}

// Tasks with at least this many upstream tasks read their counts from the tally, when given.
const TALLIED_FROM = 48;

// Up to this many pending changes are scanned (the common case: one, the try that ended); more
// are indexed once, so that a wide branch's skips do not make every lookup a long scan.
const SCANNED = 8;
const NONE_PENDING: readonly TaskInstance[] = [];

function scanPending(pending: readonly TaskInstance[], id: string): TaskInstance | undefined {
  for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.task_id === id) return pending[i];
  return undefined;
}

// Later entries overwrite earlier ones, as the last change of a task wins.
function indexPending(pending: readonly TaskInstance[]): Map<string, TaskInstance> {
  return new Map(pending.map((ti) => [ti.task_id, ti]));
}

/**
 * settleRun as a RunEvent: the trigger rules' skips and upstream_faileds to write, the tasks
 * ready now and the retries to wait for. Same arguments as settleRun.
 */
export function settleRunEvent(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  options: Parameters<typeof settleRun>[2],
): RunEvent {
  const settlement = settleRun(dag, tasks, options);
  return {
    tasks: settlement.changed,
    run: null,
    ready: settlement.ready,
    retries: settlement.waitingForRetry,
  };
}
