import type { Dag, TaskSpec } from "./dag.js";
import type { DagRun, TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { decideRunOutcome } from "./run-outcome.js";
import { settleRun } from "./settle.js";
import type { TaskState } from "./states.js";
import { copyTaskTable } from "./task-table.js";
import {
  failTry,
  finishRun,
  interruptTry,
  requeueRun,
  rescheduleTry,
  skipTry,
} from "./transitions.js";

/** States only a live flow process leaves a try in: with its owner dead, the try is lost. */
export function isLostState(state: TaskState): boolean {
  return state === "running" || state === "queued" || state === "scheduled";
}

/**
 * A try held by the queue (`--executor queue`): queued or running as a job. Its worker, not the
 * process that queued it, runs it, so that process's death loses nothing: whoever resumes the
 * run with the queue adopts the try (awaits its job); nobody else may fail it as lost.
 */
export function isQueueHeld(instance: TaskInstance): boolean {
  return (
    instance.job_id !== undefined && (instance.state === "queued" || instance.state === "running")
  );
}

/** The run's tries held by the queue, in the DAG's order. */
export function queueHeldTries(dag: Dag, run: DagRun): TaskInstance[] {
  const held: TaskInstance[] = [];
  for (const id of dag.tasks.keys()) {
    const instance = Object.hasOwn(run.tasks, id) ? run.tasks[id] : undefined;
    if (instance && isQueueHeld(instance)) held.push(instance);
  }
  return held;
}

/** The key that spreads the exponential backoff of one try (see retryDelayMs). */
export function jitterKey(dagId: string, taskId: string, logicalDate: string, tryNumber: number) {
  return `${dagId}#${taskId}#${logicalDate}#${tryNumber}`;
}

/** How a run's owner is named in the reasons of its lost tries. */
export function describeOwner(run: DagRun): string {
  return run.owner ? `flow process ${run.owner.pid} on ${run.owner.hostname}` : "its flow process";
}

/**
 * One lost try: `instance` (of `spec`, in the run of `logicalDate` of DAG `dagId`) failed at `at`
 * as a retryable try, "process lost: <owner> ended while the try was running"; a try that was
 * queued to start after another goes back to none instead, its retries kept (interruptTry).
 * `owner` names the dead process (see describeOwner; the runner says `flow process <pid>`). A
 * reschedule-mode sensor's lost poke counts as a poke that was not done instead: a poke has no
 * effect to lose, so the sensor pokes again at its next time, within its original deadline.
 */
export function failLostTry(
  dagId: string,
  logicalDate: string,
  spec: TaskSpec,
  instance: TaskInstance,
  at: Date,
  owner: string,
): TaskInstance {
  // A try queued to start after another (TryFollow) may have started as its flow process died,
  // or not: it runs again as the next try, without spending a retry (as an interruption).
  if (instance.state === "queued" && instance.job_id === undefined)
    return {
      ...interruptTry(instance, spec, at),
      reason: `process lost: ${owner} ended while the try was queued`,
    };
  if (spec.sensor?.mode === "reschedule" && instance.state === "running") {
    const next = rescheduleTry(instance, spec, at);
    if ("instance" in next) return next.instance;
    if (spec.sensor.softFail) return skipTry(instance, at, `${next.timeout} (softFail)`);
    return failTry(instance, spec, at, { error: next.timeout, retryable: false, jitterKey: "" });
  }
  return failTry(instance, spec, at, {
    error: `process lost: ${owner} ended while the try was running`,
    retryable: true,
    jitterKey: jitterKey(dagId, spec.id, logicalDate, instance.try_number),
  });
}

/**
 * Whether the death of the run's owner loses this try: a task of `dag` left running, queued or
 * scheduled, and not held by the queue (its job outlives the owner, see isQueueHeld).
 */
export function isLostTry(dag: Dag, instance: TaskInstance): boolean {
  return dag.tasks.has(instance.task_id) && isLostState(instance.state) && !isQueueHeld(instance);
}

/**
 * Each try the dead owner of `run` left running (or queued), failed at `at` as a retryable try
 * ("process lost: <owner> ended while the try was running"), as Airflow treats zombie tasks.
 * Tries held by the queue are not lost: their jobs outlive the owner (see isQueueHeld).
 */
export function failLostTries(dag: Dag, run: DagRun, at: Date, owner: string): TaskInstance[] {
  const failed: TaskInstance[] = [];
  for (const instance of Object.values(run.tasks)) {
    if (!isLostTry(dag, instance)) continue;
    const spec = dag.tasks.get(instance.task_id)!;
    failed.push(failLostTry(dag.id, run.logical_date, spec, instance, at, owner));
  }
  return failed;
}

/**
 * The event "the process executing `run` died" (a run still marked running whose lock went
 * stale): its lost tries fail and retry if tries remain, the trigger rules settle what that
 * changes (tries the queue holds stay as they are), and the run ends if nothing is left to do, or goes back to queued so that the next
 * `flow run --run`, backfill or scheduler resumes it. `ready` and `retries` say what a resumed
 * run would start; the run itself stays queued until someone executes it.
 * `at` is when the owner was last seen alive (lostAt / recoveryLostAt), not when the recovery
 * happens: the lost tries end then, as readers showed them, and so does everything this event
 * dates. A run it ends ends then too: nothing happened in it after its owner died, and readers
 * showed it ended then. A retry's delay counts from that end, as failTry counts it from any
 * failed try's end (Airflow counts retry_delay from the try's end_date), so a retry whose delay
 * passed while nobody recovered the run starts as soon as the run resumes. A requeued run dates
 * nothing: it starts again when it is resumed (beginRun).
 */
export function recoverLostRun(dag: Dag, run: DagRun, at: Date): RunEvent {
  const owner = describeOwner(run);
  const tasks = copyTaskTable(run.tasks);
  const changed = failLostTries(dag, run, at, owner);
  for (const instance of changed) tasks[instance.task_id] = instance;
  const settlement = settleRun(dag, tasks, { now: at });
  for (const instance of settlement.changed) tasks[instance.task_id] = instance;
  const { tasks: _old, ...fields } = run;
  const outcome = decideRunOutcome(dag, tasks, {
    ready: settlement.ready.length,
    // A try the queue holds goes on without the owner: the run resumes to await it.
    running: queueHeldTries(dag, run).length,
    waitingForRetry: settlement.waitingForRetry.length,
  });
  const next =
    outcome.state === "running"
      ? requeueRun(fields, `process lost: ${owner} ended; the run resumes where it stopped`)
      : finishRun(fields, at, outcome.state, outcome.state === "failed" ? outcome.reason : null);
  return {
    tasks: [...changed, ...settlement.changed],
    run: next,
    ready: settlement.ready,
    retries: settlement.waitingForRetry,
  };
}
