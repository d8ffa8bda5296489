import type { Json } from "../core/json.js";
import {
  decideSensorWait,
  resolveSensorOptions,
  type SensorMode,
  type SensorPolicy,
} from "../core/sensor-policy.js";
import type { TaskContext } from "./context.js";
import type {
  DependencyOptions,
  Duration,
  Task,
  TaskCallbacks,
  TaskOptions,
} from "./definitions.js";
import { makeTask } from "./make-task.js";
import { FailTask, RescheduleSensor, SkipTask } from "./signals.js";

/**
 * What a poke may return (Airflow's PokeReturnValue): `{ done: true, result }` when the
 * condition is met, with the task's result; `{ done: false }` when it is not.
 */
export interface PokeResult {
  readonly done: boolean;
  readonly result?: Json;
}

/**
 * Checks once whether the sensor's condition is met. Returns true or false; a `PokeResult`
 * (`{ done, result? }`: the result becomes the task's); or any other value: falsy (null,
 * undefined, 0, "") is not done, truthy is done and becomes the task's result. Throwing fails
 * the try, as in any function task.
 */
export type PokeFunction = (ctx: TaskContext) => unknown;

/** A sensor's options: Airflow's BaseSensorOperator arguments, plus the usual task options. */
export interface SensorOptions
  extends Omit<TaskOptions, "timeout">, TaskCallbacks, DependencyOptions {
  /** Wait between two pokes. Default 60 s (Airflow's). */
  pokeInterval?: Duration;
  /**
   * The sensor's whole wait, counted from its first poke; then it fails without retry (skips
   * with softFail). Default 7 days (Airflow's). Not a try's time limit: see executionTimeout.
   */
  timeout?: Duration;
  /**
   * "poke" (default): the task holds its slot and pokes within one try. "reschedule": between
   * pokes it holds no slot and no process (state up_for_reschedule), and its wait survives a
   * restart of flow.
   */
  mode?: SensorMode;
  /** On timeout the task is skipped instead of failed. Default false. */
  softFail?: boolean;
  /** The wait doubles after each poke (pokeInterval, 2x, 4x...), capped by maxWait. */
  exponentialBackoff?: boolean;
  /** The longest wait between two pokes with exponentialBackoff. Default: no cap but the timeout. */
  maxWait?: Duration;
  /** Per-try time limit (the `timeout` of other tasks; Airflow's execution_timeout). */
  executionTimeout?: Duration;
}

/**
 * A task that waits for a condition: it calls `poke(ctx)` every `pokeInterval` until it says
 * done, or until `timeout` has passed since its first poke (then it fails without retry, or is
 * skipped with `softFail`). See README, "Sensors".
 *
 *   sensor("wait_for_export", async () => existsSync("/data/export.csv"), { pokeInterval: "30s" })
 */
export function sensor(id: string, poke: PokeFunction, options: SensorOptions = {}): Task {
  return sensorTask(id, poke, options, []);
}

/** sensor(), plus the problems a built-in sensor found in its own arguments. */
export function sensorTask(
  id: string,
  poke: PokeFunction,
  options: SensorOptions,
  problems: readonly string[],
): Task {
  let policy: SensorPolicy | undefined;
  // Validated when the pipeline loads (buildDag reports bad options); read again here, lazily,
  // as the task runs: the same function of the same options.
  const run = (ctx: TaskContext): Promise<Json | undefined> => {
    policy ??= resolveSensorOptions(options as Record<string, unknown>).sensor;
    return policy.mode === "reschedule" ? pokeOnce(poke, ctx) : pokeUntilDone(poke, ctx, policy);
  };
  return makeTask(id, "function", "sensor", options, { run, problems });
}

// Reschedule mode: one poke per try; not done ends the try, and the core says when to poke again.
async function pokeOnce(poke: PokeFunction, ctx: TaskContext): Promise<Json | undefined> {
  const answer = readPoke(await poke(ctx));
  if (answer.done) return answer.result;
  ctx.log.info("not done yet: the sensor gives its slot back until its next poke");
  throw new RescheduleSensor();
}

// Poke mode: pokes within one try, sleeping between pokes; the try's signal (a timeout, Ctrl-C)
// ends the sleep. The wall clock is read here, not in the core: decideSensorWait is given it.
async function pokeUntilDone(
  poke: PokeFunction,
  ctx: TaskContext,
  policy: SensorPolicy,
): Promise<Json | undefined> {
  const start = Date.now();
  for (let pokes = 1; ; pokes++) {
    const answer = readPoke(await poke(ctx));
    if (answer.done) return answer.result;
    const wait = decideSensorWait(policy, start, Date.now(), pokes);
    if (wait.kind === "timeout") {
      if (policy.softFail) throw new SkipTask(`${wait.reason} (softFail)`);
      throw new FailTask(wait.reason);
    }
    const ms = Math.max(0, wait.at - Date.now());
    ctx.log.info(`poke ${pokes}: not done yet; next poke in ${ms}ms`);
    await sleep(ms, ctx.signal);
  }
}

/** What a poke's return value says: done or not, and the task's result. */
export function readPoke(value: unknown): { done: boolean; result?: Json } {
  if (typeof value === "boolean") return { done: value };
  if (!value) return { done: false };
  if (isPokeResult(value))
    return value.result === undefined
      ? { done: value.done }
      : { done: value.done, result: value.result };
  return { done: true, result: value as Json };
}

// `{ done: boolean }` or `{ done: boolean, result }`, nothing else: any other object is a result.
function isPokeResult(value: unknown): value is PokeResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    typeof (value as { done?: unknown }).done === "boolean" &&
    keys.every((key) => key === "done" || key === "result")
  );
}

// Resolves after `ms`, or rejects as soon as `signal` aborts (the try timed out or was stopped).
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
