import { userStack } from "./user-stack.js";
import type { ConnectionSource } from "../connections/connection-source.js";
import { connectionsForTry } from "../connections/try-connections.js";
import { TrySecrets } from "../connections/try-secrets.js";
import type { TaskContext } from "../api/context.js";
import { isTask, type Task, type TaskFunction } from "../api/definitions.js";
import { isFailTask, isRescheduleSensor, isSkipTask } from "../api/signals.js";
import { findNonJson, type Json } from "../core/json.js";
import type {
  Executor,
  StartedCallback,
  TaskExecution,
  TaskOutcome,
  TaskResolver,
} from "./executor.js";
import { formatDuration } from "./durations.js";
import { openFileLogger, type FileLogger } from "./log-file.js";
import { cancelled, describeThrown, failed, stoppedBy, timedOut, whyStopped } from "./outcomes.js";
import { resolveTask } from "./resolve-task.js";
import { buildTaskContext } from "./task-context.js";
import { withTryConsole } from "./try-console.js";
import { TrySignal } from "./try-signal.js";

/**
 * Runs function tasks in flow's own process. Kept cheap (no timer, no extra AbortController, no
 * file unless the task logs) because a DAG may hold thousands of tiny function tasks.
 */
export class FunctionExecutor implements Executor {
  /**
   * `connections`: where `ctx.connection` looks (the workspace's environment and state dir);
   * without it, the environment of this process only.
   */
  constructor(
    private readonly resolver: TaskResolver,
    private readonly connections: ConnectionSource = { env: process.env, stateDir: undefined },
  ) {}

  execute(execution: TaskExecution, onStarted: StartedCallback): Promise<TaskOutcome> {
    const resolved = this.resolver.resolve(execution.ref);
    // The in-process resolver answers synchronously: then no await, and no promise, on the way in.
    if (isTask(resolved)) return this.start(resolved, execution, onStarted);
    return resolveTask(this.resolver, execution.ref).then(({ task }) =>
      this.start(task, execution, onStarted),
    );
  }

  private start(
    task: Task,
    execution: TaskExecution,
    onStarted: StartedCallback,
  ): Promise<TaskOutcome> {
    if (!task.run) return Promise.reject(new Error(`task "${task.id}" is not a function task`));
    if (execution.signal.aborted) return Promise.resolve(cancelled());
    const secrets = new TrySecrets();
    const log = openFileLogger(execution.logPath, (text) => secrets.mask(text));
    // Without a timeout, the run's own signal is all the task needs: nothing to link.
    const trySignal = execution.timeoutMs === undefined ? undefined : new TrySignal();
    let outcome: TaskOutcome | Promise<TaskOutcome>;
    try {
      const ctx = buildTaskContext(
        execution,
        log,
        trySignal ? () => trySignal.signal : execution.signal,
        connectionsForTry(this.connections, secrets),
      );
      onStarted({ pid: process.pid });
      const run = task.run;
      outcome = withTryConsole(log, () => runFunction(run, ctx, execution, trySignal, log));
    } catch (error) {
      log.close();
      return Promise.reject(error);
    }
    if (!(outcome instanceof Promise)) {
      log.close();
      return Promise.resolve(masked(outcome, secrets));
    }
    // runFunction's promise never rejects: a throw of the task is a failed outcome.
    return outcome.then((ended) => {
      log.close();
      return masked(ended, secrets);
    });
  }

  async close(): Promise<void> {}
}

// A reason is stored in the state dir and shown by `flow status`: no secret may reach it.
function masked(outcome: TaskOutcome, secrets: TrySecrets): TaskOutcome {
  if (secrets.empty) return outcome;
  if (outcome.status === "failed") return { ...outcome, error: secrets.mask(outcome.error) };
  if (outcome.status === "skipped") return { ...outcome, reason: secrets.mask(outcome.reason) };
  return outcome;
}

// Synchronous results skip the race entirely; a promise races the timeout and the run's signal.
// A function that ignores its signal keeps running in the background: JS cannot stop it, but
// the try ends on time and its result is dropped.
function runFunction(
  run: TaskFunction,
  ctx: TaskContext,
  execution: TaskExecution,
  trySignal: TrySignal | undefined,
  log: FileLogger,
): TaskOutcome | Promise<TaskOutcome> {
  let value: unknown;
  try {
    value = run(ctx);
  } catch (thrown) {
    return fromThrown(thrown, log);
  }
  if (!isThenable(value)) return fromValue(value);
  const { timeoutMs, signal } = execution;
  return new Promise((settle) => {
    let done = false;
    const finish = (outcome: TaskOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stopWaiting();
      settle(outcome);
    };
    const onAbort = (): void => {
      trySignal?.abort(signal.reason);
      const outcome = stoppedBy(signal);
      if (!done) log.error(`flow: ${whyStopped(outcome)}: ${LEFT_BEHIND}`);
      finish(outcome);
    };
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            trySignal?.abort(new Error(`timed out after ${timeoutMs}ms`));
            log.error(`flow: timed out after ${formatDuration(timeoutMs)}: ${LEFT_BEHIND}`);
            finish(timedOut(timeoutMs));
          }, timeoutMs);
    const stopWaiting = onAbortOf(signal, onAbort);
    value.then(
      (result) => finish(fromValue(result)),
      (thrown: unknown) => {
        if (!done) finish(fromThrown(thrown, log));
      },
    );
  });
}

// What a try's log says when flow ends the try: a function cannot be stopped, only abandoned.
const LEFT_BEHIND = "the try ended without waiting for its function";

// The tries waiting on each run's signal. One listener per signal rather than one per try:
// adding and removing an EventTarget listener costs microseconds, a Set entry nanoseconds.
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

// Calls `onAbort` when `signal` aborts; returns the function that stops waiting.
function onAbortOf(signal: AbortSignal, onAbort: () => void): () => void {
  let tries = waiting.get(signal);
  if (tries === undefined) {
    const created = new Set<() => void>();
    signal.addEventListener("abort", () => [...created].forEach((call) => call()), { once: true });
    waiting.set(signal, (tries = created));
  }
  const set = tries;
  set.add(onAbort);
  return () => set.delete(onAbort);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

// Results travel to downstream tasks and the state file as JSON, so reject anything else now,
// with the path of the offending part.
function fromValue(value: unknown): TaskOutcome {
  if (value === undefined) return { status: "success" };
  const problem = findNonJson(value);
  if (problem) return failed(`result is not JSON-serialisable: ${problem}`);
  return { status: "success", result: value as Json };
}

const RESCHEDULE: TaskOutcome = { status: "reschedule" };

// The outcome keeps one line; the log gets the stack for whoever debugs it.
function fromThrown(thrown: unknown, log: FileLogger): TaskOutcome {
  if (isSkipTask(thrown)) {
    log.info(`skipped: ${thrown.message}`);
    return { status: "skipped", reason: thrown.message };
  }
  if (isRescheduleSensor(thrown)) return RESCHEDULE;
  if (isFailTask(thrown)) {
    log.error(`failed without retry: ${thrown.message}`);
    return { status: "failed", error: `${thrown.message} (no retry)`, retryable: false };
  }
  log.error(thrown instanceof Error ? userStack(thrown) : String(thrown));
  return failed(describeThrown(thrown));
}
