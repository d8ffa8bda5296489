import type { RunCallback, TaskCallback } from "../api/definitions.js";
import { buildRunContext } from "../core/context.js";
import { neighboursOf } from "../core/dag-timetable.js";
import { formatDuration } from "../core/duration.js";
import type { DagRun, TaskInstance } from "../core/run.js";
import { isFailedState } from "../core/states.js";
import { connectionsForTry } from "../connections/try-connections.js";
import { TrySecrets } from "../connections/try-secrets.js";
import { openFileLogger } from "../executors/log-file.js";
import { withTryConsole } from "../executors/try-console.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { ExecuteRunOptions } from "./execute-run-options.js";

/** What a callback needs from the run's options: the DAG, where the run's log is, connections. */
type CallbackOptions = Pick<
  ExecuteRunOptions,
  "loaded" | "runLogPath" | "connections" | "callbackTimeoutMs"
>;

/** How long a callback may run before the run goes on without it, by default. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 60_000;

/** FLOW_CALLBACK_TIMEOUT_MS: a whole number of ms above 0, else the default. */
export function callbackTimeoutFromEnv(value: string | undefined): number {
  const ms = Number(value);
  return Number.isInteger(ms) && ms > 0 ? ms : DEFAULT_CALLBACK_TIMEOUT_MS;
}

// Calls `callback`; a callback still running after `limitMs` is left behind (a JS function
// cannot be stopped) and logged: a promise that never settles must not hold the run, whose
// process would otherwise exit 0 once nothing else keeps it alive.
async function callWithin(
  callback: () => unknown,
  limitMs: number,
  log: { error: (text: string) => void },
  what: string,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), limitMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(callback), late]);
    if (outcome === "late")
      log.error(
        `${what} did not finish within ${formatDuration(limitMs)}: the run went on without it (FLOW_CALLBACK_TIMEOUT_MS)`,
      );
  } finally {
    clearTimeout(timer);
  }
}

// A logger on `file` whose lines hide the secrets of the connections the callback looks up.
function openMaskedLogger(file: string, options: CallbackOptions) {
  const secrets = new TrySecrets();
  const source = options.connections ?? { env: process.env, stateDir: undefined };
  return {
    log: openFileLogger(file, (text) => secrets.mask(text)),
    connection: connectionsForTry(source, secrets),
  };
}

/** Whether the task has a callback (its own or the DAG defaults'), so that a try's end may call one. */
export function hasTaskCallbacks(loaded: LoadedDag, taskId: string): boolean {
  return loaded.callbacks.tasks.has(taskId);
}

/**
 * Calls the task callback that fits how a try ended (onSuccess, onFailure, onRetry), with the
 * run context, the error and a logger on the try's log. A callback that throws is logged there
 * and changes nothing: a callback never breaks the runner.
 */
export async function runTaskCallback(
  options: CallbackOptions,
  run: DagRun,
  instance: TaskInstance,
): Promise<void> {
  const { loaded } = options;
  const callbacks = loaded.callbacks.tasks.get(instance.task_id);
  if (!callbacks || instance.log_path === null) return;
  const [name, callback]: [string, TaskCallback | undefined] =
    instance.state === "success"
      ? ["onSuccess", callbacks.onSuccess]
      : instance.state === "failed"
        ? ["onFailure", callbacks.onFailure]
        : instance.state === "up_for_retry"
          ? ["onRetry", callbacks.onRetry]
          : ["", undefined];
  if (!callback) return;
  const logPath = instance.log_path;
  await invoke(options, logPath, `callback ${name}`, ({ log, connection }) =>
    callback({
      ...buildRunContext(
        run,
        instance.task_id,
        instance.try_number,
        instance.max_tries,
        neighboursOf(loaded.dag, run),
      ),
      state: instance.state,
      error: instance.state === "success" ? null : instance.reason,
      log,
      logPath,
      connection,
    }),
  );
}

/** Calls the DAG's onSuccess or onFailure for a finished run; errors go to the run's log. */
export async function runDagCallback(options: CallbackOptions, run: DagRun): Promise<void> {
  const { loaded } = options;
  const name =
    run.state === "success" ? "onSuccess" : run.state === "failed" ? "onFailure" : undefined;
  const callback: RunCallback | undefined = name ? loaded.callbacks.run[name] : undefined;
  const { state } = run;
  if (!callback || (state !== "success" && state !== "failed")) return;
  await invoke(options, options.runLogPath, `dag callback ${name}`, ({ log, connection }) =>
    callback({
      dagId: run.dag_id,
      runId: run.run_id,
      runType: run.run_type,
      logicalDate: run.logical_date,
      ds: run.logical_date.slice(0, 10),
      dataIntervalStart: run.data_interval_start,
      dataIntervalEnd: run.data_interval_end,
      params: run.params,
      state,
      reason: run.reason,
      failedTasks: Object.values(run.tasks)
        .filter((ti) => isFailedState(ti.state))
        .map((ti) => ti.task_id),
      log,
      logPath: options.runLogPath,
      connection,
    }),
  );
}

/**
 * Calls a callback with a masked logger on `file` and its connections: its console goes to that
 * log, it has the run's callback time limit, and what it throws is logged there as `<what> threw`.
 */
async function invoke(
  options: CallbackOptions,
  file: string,
  what: string,
  callback: (tools: ReturnType<typeof openMaskedLogger>) => unknown,
): Promise<void> {
  const tools = openMaskedLogger(file, options);
  const { log } = tools;
  try {
    const call = (): unknown => withTryConsole(log, () => callback(tools));
    await callWithin(call, options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS, log, what);
  } catch (error) {
    log.error(
      `${what} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    log.close();
  }
}

/** The callbacks a run started: the run resolves only once they are all done. */
export class CallbackTracker {
  private readonly pending = new Set<Promise<void>>();

  /** Keeps `callback` until it settles. */
  track(callback: Promise<void>): void {
    this.pending.add(callback);
    void callback.finally(() => this.pending.delete(callback));
  }

  /** Resolves once every callback tracked so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
