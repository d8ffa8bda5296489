import { describeValue } from "./describe-value.js";
import { DURATION_HELP, parseDuration } from "./duration.js";

/** How a sensor waits between pokes (Airflow's BaseSensorOperator `mode`). */
export type SensorMode = "poke" | "reschedule";

/** A sensor's options, validated; durations in milliseconds. */
export interface SensorPolicy {
  /** Wait between two pokes (Airflow's poke_interval). */
  readonly pokeIntervalMs: number;
  /** The sensor's whole wait, from its first poke: not a try's time limit (that is executionTimeout). */
  readonly timeoutMs: number;
  readonly mode: SensorMode;
  /** On timeout the task is skipped instead of failed. */
  readonly softFail: boolean;
  /** The wait doubles after each poke (pokeInterval, 2x, 4x...), capped by maxWait. */
  readonly exponentialBackoff: boolean;
  /** The longest wait between two pokes with exponentialBackoff; none: only the timeout caps it. */
  readonly maxWaitMs: number | undefined;
}

/** Airflow's defaults: a poke every 60 s for at most 7 days, holding the slot. */
export const DEFAULT_SENSOR_POLICY: SensorPolicy = {
  pokeIntervalMs: 60_000,
  timeoutMs: 7 * 86_400_000,
  mode: "poke",
  softFail: false,
  exponentialBackoff: false,
  maxWaitMs: undefined,
};

/**
 * The options only sensors take. A sensor's `timeout` is its whole wait (Airflow's sensor
 * `timeout`), so a sensor names the per-try limit `executionTimeout` (Airflow's name for it).
 */
export const SENSOR_OPTION_NAMES = [
  "pokeInterval",
  "timeout",
  "mode",
  "softFail",
  "exponentialBackoff",
  "maxWait",
  "executionTimeout",
] as const;

const MODES: readonly SensorMode[] = ["poke", "reschedule"];

/**
 * Splits a sensor's options into its sensor policy and the task options left for resolvePolicy
 * (`executionTimeout` becomes the task's `timeout`). Returns one message per bad sensor option;
 * a bad one keeps its default.
 */
export function resolveSensorOptions(options: Readonly<Record<string, unknown>>): {
  sensor: SensorPolicy;
  taskOptions: Record<string, unknown>;
  problems: string[];
} {
  const problems: string[] = [];
  const sensor: { -readonly [K in keyof SensorPolicy]: SensorPolicy[K] } = {
    ...DEFAULT_SENSOR_POLICY,
  };
  const taskOptions: Record<string, unknown> = {};
  const duration = (name: string, value: unknown): number | undefined => {
    const ms = parseDuration(value);
    if (ms !== undefined && ms > 0) return ms;
    problems.push(
      `${name} must be a duration greater than zero: ${DURATION_HELP}; got ${describeValue(value)}`,
    );
    return undefined;
  };
  const flag = (name: string, value: unknown): boolean | undefined => {
    if (typeof value === "boolean") return value;
    problems.push(`${name} must be true or false, got ${describeValue(value)}`);
    return undefined;
  };
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === undefined) continue;
    if (key === "pokeInterval")
      sensor.pokeIntervalMs = duration(key, value) ?? sensor.pokeIntervalMs;
    else if (key === "timeout") sensor.timeoutMs = duration(key, value) ?? sensor.timeoutMs;
    else if (key === "maxWait") sensor.maxWaitMs = duration(key, value);
    else if (key === "softFail") sensor.softFail = flag(key, value) ?? false;
    else if (key === "exponentialBackoff") sensor.exponentialBackoff = flag(key, value) ?? false;
    else if (key === "mode") {
      if (MODES.includes(value as SensorMode)) sensor.mode = value as SensorMode;
      else problems.push(`mode must be "poke" or "reschedule", got ${describeValue(value)}`);
    } else if (key === "executionTimeout") taskOptions.timeout = value;
    else taskOptions[key] = value;
  }
  return { sensor, taskOptions, problems };
}

/**
 * The wait after poke number `pokes` (1 after the first poke): pokeInterval, or with
 * exponentialBackoff pokeInterval x 2^(pokes - 1), capped by maxWait. No jitter, unlike
 * Airflow's: a sensor's pokes are spread by the sensor's own start.
 */
export function pokeDelayMs(sensor: SensorPolicy, pokes: number): number {
  if (!sensor.exponentialBackoff) return sensor.pokeIntervalMs;
  // 2^40 x 1 ms is 34 years: beyond it the product only overflows.
  const grown = sensor.pokeIntervalMs * 2 ** Math.min(Math.max(pokes - 1, 0), 40);
  return sensor.maxWaitMs === undefined ? grown : Math.min(grown, sensor.maxWaitMs);
}

/** What a sensor does after a poke that was not done. */
export type SensorWait =
  | { readonly kind: "timeout"; readonly reason: string }
  | { readonly kind: "wait"; readonly at: number };

/**
 * After poke number `pokes` returned not done at `now` (ms), for a sensor whose first poke
 * started at `startMs`: time out once `timeout` has passed since the first poke (Airflow checks
 * after a poke too), else poke again after pokeDelayMs, but not after the deadline, so that the
 * last poke happens at the deadline rather than up to an interval past it.
 */
export function decideSensorWait(
  sensor: SensorPolicy,
  startMs: number,
  now: number,
  pokes: number,
): SensorWait {
  const deadline = startMs + sensor.timeoutMs;
  if (now >= deadline)
    return { kind: "timeout", reason: `sensor timed out after ${formatMs(sensor.timeoutMs)}` };
  return { kind: "wait", at: Math.min(now + pokeDelayMs(sensor, pokes), deadline) };
}

// `200ms`, `30s`, `5m`: durations as an author writes them, exact (no rounding).
function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
