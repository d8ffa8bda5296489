import { describeValue } from "../core/describe-value.js";
import { parseDuration } from "../core/duration.js";
import type { TaskContext } from "./context.js";
import type { Duration, Task } from "./definitions.js";
import { sensorTask, type SensorOptions } from "./sensor.js";

/** What timeSensor() waits for, on top of the sensor options. */
export interface TimeSensorOptions extends SensorOptions {
  /** How long after the end of the run's data interval. Default 0. */
  delta?: Duration;
}

/**
 * A sensor done once the run's data interval has ended plus `delta` (Airflow's
 * TimeDeltaSensor): `timeSensor("after_close", { delta: "2h" })` in a daily DAG waits until 2 am
 * the day after the interval.
 */
export function timeSensor(id: string, options: TimeSensorOptions = {}): Task {
  const { delta, ...sensorOptions } = options ?? {};
  const problems: string[] = [];
  const deltaMs = delta === undefined ? 0 : parseDuration(delta);
  if (deltaMs === undefined)
    problems.push(`delta must be a duration such as "30m" or "2h"; got ${describeValue(delta)}`);
  const poke = (ctx: TaskContext): boolean => {
    const target = Date.parse(ctx.dataIntervalEnd) + (deltaMs ?? 0);
    const done = Date.now() >= target;
    if (!done) ctx.log.info(`waiting until ${new Date(target).toISOString()}`);
    return done;
  };
  return sensorTask(id, poke, sensorOptions, problems);
}
