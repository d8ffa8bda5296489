import type { Dag, TaskSpec } from "./dag.js";
import type { Json } from "./json.js";
import { retryDelayMs } from "./retry.js";
import { decideSensorWait } from "./sensor-policy.js";
import type { DagRun, RunFields, RunOwner, RunType, TaskInstance } from "./run.js";

/** A task instance that has not run: state none, try 0, max_tries = retries + 1, all else null. */
export function newTaskInstance(spec: TaskSpec): TaskInstance {
  return {
    task_id: spec.id,
    state: "none",
    try_number: 0,
    max_tries: spec.retries + 1,
    start: null,
    end: null,
    duration_ms: null,
    exit_code: null,
    reason: null,
    pid: null,
    next_try_at: null,
    log_path: null,
  };
}

/**
 * A queued run with a fresh task instance per task (in the DAG's order). `params` overrides the
 * DAG's params key by key (`--param`); start, end, reason and owner are null until it runs.
 */
export function newRun(args: {
  dag: Dag;
  runId: string;
  runType: RunType;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  queuedAt: Date;
  params: Record<string, Json>;
}): DagRun {
  const { dag } = args;
  return {
    dag_id: dag.id,
    run_id: args.runId,
    run_type: args.runType,
    logical_date: args.logicalDate.toISOString(),
    data_interval_start: args.dataIntervalStart.toISOString(),
    data_interval_end: args.dataIntervalEnd.toISOString(),
    state: "queued",
    queued_at: args.queuedAt.toISOString(),
    start: null,
    end: null,
    reason: null,
    params: { ...dag.params, ...args.params },
    owner: null,
    // fromEntries defines own properties, so even odd task ids stay plain keys.
    tasks: Object.fromEntries(
      [...dag.tasks.values()].map((spec) => [spec.id, newTaskInstance(spec)]),
    ),
  };
}

/**
 * The try number the next start of `ti` runs as: the same one for a sensor's rescheduled poke
 * (Airflow keeps try_number across reschedules), the next one otherwise.
 */
export function nextTryNumber(ti: TaskInstance): number {
  return ti.state === "up_for_reschedule" ? ti.try_number : ti.try_number + 1;
}

/**
 * The next try is handed to an executor at `at`, to start later: queued, try_number + 1, as
 * startTry clears the previous try's fields. With `jobId`, a queue's job (a worker starts it);
 * without, the local executor's, after the try it follows (see TryFollow). workerStartedTry
 * makes it running.
 */
export function queueTry(
  ti: TaskInstance,
  at: Date,
  info: { jobId?: string; logPath: string | null },
): TaskInstance {
  const queued: TaskInstance = {
    ...startTry(ti, at, { pid: null, logPath: info.logPath }),
    state: "queued",
    start: null,
    queued_at: at.toISOString(),
  };
  return info.jobId === undefined ? queued : { ...queued, job_id: info.jobId };
}

/** The queued try started at `at` as process `pid` (on `hostname`: a worker's): running now. */
export function workerStartedTry(
  ti: TaskInstance,
  at: Date,
  info: { pid: number; hostname?: string },
): TaskInstance {
  const running: TaskInstance = { ...ti, state: "running", start: at.toISOString(), pid: info.pid };
  return info.hostname === undefined ? running : { ...running, hostname: info.hostname };
}

/**
 * The next try begins: running, try_number + 1, start = `at`; the previous try's end, duration,
 * exit code, reason, retry time and result are cleared (Airflow wipes XComs when a task reruns).
 * An up_for_reschedule sensor's next poke keeps its try number and its sensor_start and pokes.
 */
export function startTry(
  ti: TaskInstance,
  at: Date,
  info: { pid: number | null; logPath: string | null },
): TaskInstance {
  // Written out rather than `{ ...rest }` after `const { result, ...rest } = ti`: object rest
  // takes V8's slow path, and this runs twice per try. Same fields, same order.
  return {
    task_id: ti.task_id,
    state: "running",
    try_number: nextTryNumber(ti),
    max_tries: ti.max_tries,
    start: at.toISOString(),
    end: null,
    duration_ms: null,
    exit_code: null,
    reason: null,
    pid: info.pid,
    next_try_at: null,
    log_path: info.logPath,
    // Kept (undefined, and so absent from the state file, unless a try was interrupted).
    interrupted_tries: ti.interrupted_tries,
    // Undefined (absent) but for a reschedule-mode sensor: its wait goes on across pokes.
    sensor_start: ti.sensor_start,
    sensor_pokes: ti.sensor_pokes,
  };
}

/** The running try succeeded at `at`: success, end and duration set, result kept when given. */
export function succeedTry(
  ti: TaskInstance,
  at: Date,
  info: { result?: Json; exitCode?: number },
): TaskInstance {
  const { end, duration_ms, pid } = ended(ti, at);
  const instance: TaskInstance = {
    task_id: ti.task_id,
    state: "success",
    try_number: ti.try_number,
    max_tries: ti.max_tries,
    start: ti.start,
    end,
    duration_ms,
    exit_code: info.exitCode ?? null,
    reason: null,
    pid,
    next_try_at: null,
    log_path: ti.log_path,
    interrupted_tries: ti.interrupted_tries,
    // Which queue job and worker ran it, when one did (absent for local tries), and when it
    // was queued, if it was (Airflow's queued_dttm).
    job_id: ti.job_id,
    hostname: ti.hostname,
    queued_at: ti.queued_at,
  };
  return info.result === undefined ? instance : { ...instance, result: info.result };
}

/**
 * The running try failed at `at` with `error`. up_for_retry, with next_try_at = at + the retry
 * delay of this try, when tries remain (try_number < max_tries) and the failure is retryable;
 * otherwise failed. `jitterKey` feeds exponential backoff (see retryDelayMs).
 */
export function failTry(
  ti: TaskInstance,
  spec: TaskSpec,
  at: Date,
  info: { error: string; exitCode?: number; retryable: boolean; jitterKey: string },
): TaskInstance {
  const retry = info.retryable && ti.try_number < ti.max_tries;
  const nextTryAt = retry
    ? new Date(at.getTime() + retryDelayMs(spec, ti.try_number, info.jitterKey))
    : null;
  return {
    ...ti,
    ...ended(ti, at),
    state: retry ? "up_for_retry" : "failed",
    exit_code: info.exitCode ?? null,
    reason: info.error,
    next_try_at: nextTryAt === null ? null : nextTryAt.toISOString(),
    // A retry of a sensor waits afresh, as Airflow's reschedules count per try number.
    sensor_start: undefined,
    sensor_pokes: undefined,
  };
}

/**
 * A reschedule-mode sensor's poke (the running try of `ti`) ended at `at`, not done. The sensor's
 * wait started with its first poke (sensor_start, else this try's start). Once its timeout has
 * passed: "timeout" with a reason (the caller fails or skips it). Otherwise up_for_reschedule:
 * the try ended (end, duration, no pid) but is not spent (try_number kept), next_try_at is the
 * next poke (decideSensorWait: the interval, grown by exponentialBackoff, never past the
 * deadline).
 */
export function rescheduleTry(
  ti: TaskInstance,
  spec: TaskSpec,
  at: Date,
): { readonly instance: TaskInstance } | { readonly timeout: string } {
  const sensorStart = ti.sensor_start ?? ti.start ?? at.toISOString();
  const pokes = (ti.sensor_pokes ?? 0) + 1;
  const policy = spec.sensor;
  if (policy === undefined) throw new Error(`bug: task "${spec.id}" rescheduled, not a sensor`);
  const wait = decideSensorWait(policy, Date.parse(sensorStart), at.getTime(), pokes);
  if (wait.kind === "timeout") return { timeout: wait.reason };
  return {
    instance: {
      ...ti,
      ...ended(ti, at),
      state: "up_for_reschedule",
      reason: null,
      next_try_at: new Date(wait.at).toISOString(),
      sensor_start: sensorStart,
      sensor_pokes: pokes,
    },
  };
}

/** Sets a task that will never run to skipped or upstream_failed, saying why in `reason`. */
export function markTask(
  ti: TaskInstance,
  state: "skipped" | "upstream_failed",
  reason: string,
): TaskInstance {
  return { ...ti, state, reason, pid: null, next_try_at: null };
}

/** The run starts (or resumes) at `at` under `owner`: running; `start` is kept if already set. */
export function startRun<R extends RunFields>(run: R, at: Date, owner: RunOwner): R {
  return {
    ...run,
    state: "running",
    start: run.start ?? at.toISOString(),
    end: null,
    reason: null,
    owner,
  };
}

/** The run ended at `at` in `state`; `reason` says why when no task does (deadlock, cancel). */
export function finishRun<R extends RunFields>(
  run: R,
  at: Date,
  state: "success" | "failed",
  reason: string | null,
): R {
  return { ...run, state, end: at.toISOString(), reason, owner: null };
}

function ended(ti: TaskInstance, at: Date): Pick<TaskInstance, "end" | "duration_ms" | "pid"> {
  const start = ti.start === null ? NaN : Date.parse(ti.start);
  return {
    end: at.toISOString(),
    duration_ms: Number.isNaN(start) ? null : Math.max(0, at.getTime() - start),
    pid: null,
  };
}

/**
 * The running try was stopped because the user interrupted flow (Ctrl-C, SIGTERM). Like
 * Airflow's clear: back to no state with its retries restored (max_tries = tries so far +
 * retries), so resuming the run tries it again without spending a retry on the interruption.
 */
export function interruptTry(ti: TaskInstance, spec: TaskSpec, at: Date): TaskInstance {
  return {
    ...ti,
    ...ended(ti, at),
    state: "none",
    max_tries: ti.try_number + spec.retries + 1,
    reason: "interrupted",
    next_try_at: null,
    interrupted_tries: (ti.interrupted_tries ?? 0) + 1,
  };
}

/** The run was interrupted: back to queued, so that running it again resumes it. */
export function requeueRun<R extends RunFields>(run: R, reason: string): R {
  return { ...run, state: "queued", end: null, reason, owner: null };
}

/** The running try ended by skipping itself (a skip error, a bash skip exit code): skipped. */
export function skipTry(ti: TaskInstance, at: Date, reason: string): TaskInstance {
  return { ...ti, ...ended(ti, at), state: "skipped", reason, next_try_at: null };
}
