import type { Dag, TaskSpec } from "./dag.js";
import type { DagRun, TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { decideRunOutcome } from "./run-outcome.js";
import { settleRun } from "./settle.js";
import type { TaskState } from "./states.js";
import { copyTaskTable } from "./task-table.js";
import { failTry, finishRun, requeueRun, rescheduleTry, skipTry } from "./transitions.js";

/** States only a live flow process leaves a try in: with its owner dead, the try is lost. */
export function isLostState(state: TaskState): boolean {
  return state === "running" || state === "queued" || state === "scheduled";
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
 * as a retryable try, "process lost: <owner> ended while the try was running". `owner` names the
 * dead process (see describeOwner; the runner says `flow process <pid>`). A reschedule-mode
 * sensor's lost poke counts as a poke that was not done instead: a poke has no effect to lose,
 * so the sensor pokes again at its next time, within its original deadline.
 */
export function failLostTry(
  dagId: string,
  logicalDate: string,
  spec: TaskSpec,
  instance: TaskInstance,
  at: Date,
  owner: string,
): TaskInstance {
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
 * Each try the dead owner of `run` left running (or queued), failed at `at` as a retryable try
 * ("process lost: <owner> ended while the try was running"), as Airflow treats zombie tasks.
 */
export function failLostTries(dag: Dag, run: DagRun, at: Date, owner: string): TaskInstance[] {
  const failed: TaskInstance[] = [];
  for (const instance of Object.values(run.tasks)) {
    const spec = dag.tasks.get(instance.task_id);
    if (!spec || !isLostState(instance.state)) continue;
    failed.push(failLostTry(dag.id, run.logical_date, spec, instance, at, owner));
  }
  return failed;
}

/**
 * The event "the process executing `run` died" (a run still marked running whose lock went
 * stale): its lost tries fail and retry if tries remain, the trigger rules settle what that
 * changes, and the run ends if nothing is left to do, or goes back to queued so that the next
 * `flow run --run`, backfill or scheduler resumes it. `ready` and `retries` say what a resumed
 * run would start; the run itself stays queued until someone executes it.
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
    running: 0,
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
