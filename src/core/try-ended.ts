import {
  readBranchChoice,
  skipForFailFast,
  skipShortCircuited,
  skipUnchosen,
} from "./branching.js";
import type { Dag, TaskSpec } from "./dag.js";
import type { Json } from "./json.js";
import { jitterKey } from "./lost-tries.js";
import type { TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import type { RunHalt } from "./run-halt.js";
import { settleRun } from "./settle.js";
import { copyTaskTable } from "./task-table.js";
import { isWaitingForTime } from "./states.js";
import type { UpstreamTally } from "./upstream-tally.js";
import { failTry, interruptTry, rescheduleTry, skipTry, succeedTry } from "./transitions.js";

/** How a try ended, as an executor reports it (executors' TaskOutcome has this shape). */
export type TryOutcome =
  | { readonly status: "success"; readonly result?: Json; readonly exitCode?: number }
  | { readonly status: "skipped"; readonly reason: string }
  | {
      readonly status: "failed";
      readonly error: string;
      readonly exitCode?: number;
      /** False when the try asked to fail without retry. */
      readonly retryable: boolean;
    }
  /** A reschedule-mode sensor's poke was not done: poke again later, holding nothing meanwhile. */
  | { readonly status: "reschedule" };

/** A try that ended, and the run around it. */
export interface EndedTry {
  readonly taskId: string;
  readonly outcome: TryOutcome;
  /** When it ended: its end time, the base of its retry delay. */
  readonly at: Date;
  /** The run's logical date: part of the key that spreads exponential retry delays. */
  readonly logicalDate: string;
  /** Why the run is stopping, if it is; undefined while it runs on. */
  readonly halt: RunHalt | undefined;
  /** Tasks dependsOnPast keeps from starting for now (never ready; see settleRun). */
  readonly held?: ReadonlySet<string>;
  /** The upstream counts of `tasks`, kept by the caller (see settleRun). */
  readonly tally?: UpstreamTally;
}

/** What a try's end does to the run. */
export interface TryEnded extends RunEvent {
  /** The try's task instance after its end (also the first of `tasks`). */
  readonly instance: TaskInstance;
  /** The try failed in a failFast DAG: the run halts now (fail_fast after this task). */
  readonly failFast: boolean;
}

const NONE: readonly never[] = [];

/**
 * The event "a try of `ended.taskId` ended", given the run's task table `tasks` before it (the
 * try still running there; the table is not changed). The try becomes success, skipped,
 * up_for_retry or failed; a sensor's poke that was not done (outcome "reschedule") becomes
 * up_for_reschedule, waiting for its next poke in `retries` like a retry, or, past the sensor's
 * timeout, failed without retry (skipped with softFail; see rescheduleTry); a branch whose result is not among its direct downstream tasks fails
 * without retry. While the run halts that is all: `interrupted` turns a failed try back to none
 * (interruptTry), `fail_fast` fails it without retry ("stopped: fail_fast after task "X"
 * failed"), and nothing follows. Otherwise what follows, in this order: a branch skips the direct
 * downstream tasks it did not choose; a short-circuit that returned a falsy value skips all its
 * downstream; the trigger rules settle what that changes (only the tasks concerned are visited:
 * this runs per task); and a failure in a failFast DAG skips every task not started (`failFast`
 * is then true, and nothing is ready).
 */
export function endTry(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  ended: EndedTry,
): TryEnded {
  const spec = dag.tasks.get(ended.taskId);
  const current = Object.hasOwn(tasks, ended.taskId) ? tasks[ended.taskId] : undefined;
  if (spec === undefined || current === undefined)
    throw new Error(`bug: a try of task "${ended.taskId}" ended, not a task of the run`);
  const instance = recordTry(dag, spec, current, ended);
  if (ended.halt !== undefined)
    return { tasks: [instance], run: null, ready: NONE, retries: NONE, instance, failFast: false };
  const { at } = ended;
  const changes: TaskInstance[] = [instance];
  // A task that will start again settles alone (its next time); a finished one, its downstream.
  let only: readonly string[] = isWaitingForTime(instance.state) ? [spec.id] : spec.downstream;
  if (instance.state === "success" && spec.role === "branch") {
    const choice = readBranchChoice(dag, spec.id, instance.result);
    const skipped = skipUnchosen(dag, tasks, spec.id, "chosen" in choice ? choice.chosen : []);
    for (const ti of skipped) changes.push(ti);
    only = [...only, ...skipped.flatMap((ti) => dag.tasks.get(ti.task_id)!.downstream)];
  }
  if (instance.state === "success" && spec.role === "short_circuit" && !instance.result) {
    for (const ti of skipShortCircuited(dag, tasks, spec.id)) changes.push(ti);
    only = NONE;
  }
  const settlement = settleRun(dag, tasks, {
    now: at,
    only,
    held: ended.held,
    pending: changes,
    tally: ended.tally,
  });
  for (const ti of settlement.changed) changes.push(ti);
  if (instance.state === "failed" && dag.failFast) {
    // Once a run, when it halts: the copy costs O(tasks) once, not per task.
    const table = copyTaskTable(tasks);
    for (const ti of changes) table[ti.task_id] = ti;
    for (const ti of skipForFailFast(dag, table, spec.id)) changes.push(ti);
    return { tasks: changes, run: null, ready: NONE, retries: NONE, instance, failFast: true };
  }
  return {
    tasks: changes,
    run: null,
    ready: settlement.ready,
    retries: settlement.waitingForRetry,
    instance,
    failFast: false,
  };
}

// The try's task instance after its outcome, given why the run may be stopping.
function recordTry(dag: Dag, spec: TaskSpec, current: TaskInstance, ended: EndedTry): TaskInstance {
  const { outcome, at, halt } = ended;
  if (halt?.kind === "interrupted" && outcome.status === "failed")
    return interruptTry(current, spec, at);
  if (halt?.kind === "fail_fast" && outcome.status === "failed")
    return failure(
      dag,
      spec,
      current,
      ended,
      `stopped: fail_fast after task "${halt.failed}" failed`,
      false,
    );
  if (outcome.status === "skipped") return skipTry(current, at, outcome.reason);
  if (outcome.status === "reschedule") {
    if (spec.sensor === undefined)
      return failure(dag, spec, current, ended, "only a sensor can reschedule its try", false);
    const next = rescheduleTry(current, spec, at);
    if ("instance" in next) return next.instance;
    if (spec.sensor.softFail) return skipTry(current, at, `${next.timeout} (softFail)`);
    // Airflow's AirflowSensorTimeout: retries cannot make the wait any shorter.
    return failure(dag, spec, current, ended, next.timeout, false);
  }
  if (outcome.status === "failed")
    return failure(dag, spec, current, ended, outcome.error, outcome.retryable, outcome.exitCode);
  if (spec.role === "branch") {
    const choice = readBranchChoice(dag, spec.id, outcome.result);
    if ("error" in choice) return failure(dag, spec, current, ended, choice.error, false);
  }
  return succeedTry(current, at, {
    ...(outcome.result !== undefined && { result: outcome.result }),
    ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
  });
}

function failure(
  dag: Dag,
  spec: TaskSpec,
  current: TaskInstance,
  ended: EndedTry,
  error: string,
  retryable: boolean,
  exitCode?: number,
): TaskInstance {
  return failTry(current, spec, ended.at, {
    error,
    retryable,
    ...(exitCode !== undefined && { exitCode }),
    jitterKey: jitterKey(dag.id, spec.id, ended.logicalDate, current.try_number),
  });
}
