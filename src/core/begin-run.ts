import type { Dag } from "./dag.js";
import { recoveryLostAt } from "./lost-run.js";
import { failLostTry, isLostState, isQueueHeld } from "./lost-tries.js";
import type { DagRun, TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { integrityChanges } from "./run-integrity.js";
import { startRun } from "./transitions.js";

/**
 * The event "a process takes `run` to execute it" at `at`, as `owner` (its pid and host):
 * - the run's instances are made to match `dag` (integrityChanges: a task added since the run was
 *   created gets a fresh instance, one removed from the DAG is `removed`);
 * - a try the run's previous owner left running, queued or scheduled is lost (only a process that
 *   died leaves one, and we hold the run now): it fails when that owner was last seen alive
 *   (recoveryLostAt of `seen`, what the store saw of it before taking its lock: the end readers
 *   showed; its retry delay counts from then) as a retryable try, "process lost: flow process
 *   <its pid> ended while the try was running"; but a try held by the queue (isQueueHeld) is
 *   left as it is: the runner adopts it (awaits its job), and only a runner with the queue may
 *   begin such a run;
 * - the run is running under `owner`, started (if it had not) and its heartbeat `at`: the run's
 *   own change happens now. Without `seen` (a store with no lock to look at), lost tries end `at`.
 * Changes come in integrityChanges' order, then the lost tries in the DAG's order. `ready` and
 * `retries` are empty: what starts first depends on the previous run too (dependsOnPast), which
 * the runner reads before it settles the run.
 */
export function beginRun(
  dag: Dag,
  run: DagRun,
  at: Date,
  owner: { readonly pid: number; readonly hostname: string },
  seen?: { readonly lastSeen?: Date },
): RunEvent {
  const lostAt = recoveryLostAt(run, seen, at);
  const lostOwner = `flow process ${run.owner?.pid ?? "?"}`;
  const tasks: TaskInstance[] = integrityChanges(dag, run.tasks);
  for (const spec of dag.tasks.values()) {
    const existing = Object.hasOwn(run.tasks, spec.id) ? run.tasks[spec.id] : undefined;
    if (existing !== undefined && isLostState(existing.state) && !isQueueHeld(existing))
      tasks.push(failLostTry(dag.id, run.logical_date, spec, existing, lostAt, lostOwner));
  }
  const { tasks: _tasks, ...fields } = run;
  const next = startRun(fields, at, { ...owner, heartbeat: at.toISOString() });
  return { tasks, run: next, ready: [], retries: [] };
}
