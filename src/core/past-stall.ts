import type { Dag } from "./dag.js";
import { describePastBlock, type PastDecision } from "./depends-on-past.js";
import type { TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { settleRun } from "./settle.js";
import { markTask } from "./transitions.js";

/** What dependsOnPast keeps a task from starting for: its previous run may still run it, or not. */
export type HeldByPast = Exclude<PastDecision, { kind: "met" }>;

/** What a run stalled on dependsOnPast does. */
export type PastStall =
  /** No held task is left waiting to start (each started or was settled since): the run ends. */
  | { readonly kind: "free" }
  /** A held task waits for a previous run that is not finished: the run keeps waiting. */
  | { readonly kind: "waiting" }
  /** Every held task is blocked: the run gives up on them (`event`), failing deadlocked on them. */
  | {
      readonly kind: "blocked";
      readonly event: RunEvent;
      /** Per task given up on: `task "load" depends on past: it is failed in the previous run ...`. */
      readonly blockedByPast: readonly string[];
    };

const FREE: PastStall = { kind: "free" };
const WAITING: PastStall = { kind: "waiting" };

/**
 * The event "nothing runs, is ready or waits for a retry, yet dependsOnPast holds tasks", at
 * `at`. `held` is the decision for each task the runner holds (from decideDependsOnPast); a held
 * task that no longer waits to start in `tasks` (state neither none nor up_for_retry) is ignored.
 * A task waiting for an unfinished previous run keeps the run waiting (Airflow's behaviour).
 * When every held task is blocked (its past failed or never ran), the run gives up on them: each
 * becomes upstream_failed, "depends on past: <why>" (so `flow retry` of this run clears them),
 * their downstream tasks settle, and the run is to fail, deadlocked on its past (pass
 * `blockedByPast` to endRun). The runner reads the previous run once more before it trusts a
 * "blocked" (another process may have fixed it).
 */
export function decidePastStall(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  held: ReadonlyMap<string, HeldByPast>,
  at: Date,
): PastStall {
  const blocked: [TaskInstance, HeldByPast][] = [];
  for (const [id, decision] of held) {
    const instance = Object.hasOwn(tasks, id) ? tasks[id] : undefined;
    if (instance === undefined || (instance.state !== "none" && instance.state !== "up_for_retry"))
      continue;
    if (decision.kind === "wait") return WAITING;
    blocked.push([instance, decision]);
  }
  if (blocked.length === 0) return FREE;
  const changes: TaskInstance[] = [];
  const blockedByPast: string[] = [];
  const downstream: string[] = [];
  for (const [instance, decision] of blocked) {
    const why = describePastBlock(decision);
    changes.push(markTask(instance, "upstream_failed", `depends on past: ${why}`));
    blockedByPast.push(`task "${instance.task_id}" depends on past: ${why}`);
    downstream.push(...(dag.tasks.get(instance.task_id)?.downstream ?? []));
  }
  const settlement = settleRun(dag, tasks, { now: at, only: downstream, pending: changes });
  for (const ti of settlement.changed) changes.push(ti);
  const event = {
    tasks: changes,
    run: null,
    ready: settlement.ready,
    retries: settlement.waitingForRetry,
  };
  return { kind: "blocked", event, blockedByPast };
}
