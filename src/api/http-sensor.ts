import { HTTP_SETTING_NAMES, httpSettingProblems } from "../core/http-settings.js";
import { splitKindSettings } from "../core/kind-settings.js";
import { SENSOR_OPTION_NAMES } from "../core/sensor-policy.js";
import { OPTION_NAMES } from "../core/task-policy.js";
import type { TaskContext } from "./context.js";
import type { Task } from "./definitions.js";
import type { HttpSettings } from "./http-types.js";
import { sensorTask, type SensorOptions } from "./sensor.js";

/** An HTTP sensor's options: an http task's request settings, and a sensor's options. */
export type HttpSensorOptions = HttpSettings & SensorOptions;

// Options a sensor takes that an http task does not (the policy's options are shared).
const SENSOR_ONLY = new Set<string>(
  SENSOR_OPTION_NAMES.filter((name) => !(OPTION_NAMES as readonly string[]).includes(name)),
);

// What keeps an endpoint "not ready yet" rather than broken: Airflow's HttpSensor pokes again on
// an unexpected status; flow also on no answer at all (a service still starting).
const NOT_YET = new Set(["status", "check", "refused", "reset", "dns", "network"]);

/**
 * A sensor done when an HTTP endpoint answers as an http task expects (Airflow's HttpSensor):
 * the same request settings as `http()` (url or connection + path, method, headers, query,
 * expectedStatus, check, responseAs), poked every `pokeInterval`. An unexpected status, a false
 * `check` or no answer means "not yet"; the answer's body (as `responseAs`) becomes the result.
 */
export function httpSensor(id: string, options: HttpSensorOptions): Task {
  // Split as an http task's options, a sensor's own options counted as known settings (so a
  // misspelled one is suggested from both lists), then handed on to sensorTask, which checks them.
  const split = splitKindSettings(options as unknown as Record<string, unknown>, [
    ...HTTP_SETTING_NAMES,
    ...SENSOR_ONLY,
  ]);
  const settings: Record<string, unknown> = {};
  const sensorOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(split.settings))
    (SENSOR_ONLY.has(key) ? sensorOptions : settings)[key] = value;
  const { rest, problems } = split;
  const request = settings as HttpSettings;
  const poke = async (ctx: TaskContext) => {
    const { HttpError } = await import("../tasks/http/http-error.js");
    const { runHttpTask } = await import("../tasks/http/run-http-task.js");
    try {
      return { done: true, result: (await runHttpTask(request, ctx)) ?? null };
    } catch (error) {
      if (!(error instanceof HttpError) || !NOT_YET.has(error.kind)) throw error;
      ctx.log.info(`not yet: ${error.message}`);
      return false;
    }
  };
  return sensorTask(id, poke, { ...rest, ...sensorOptions } as SensorOptions, [
    ...problems,
    ...httpSettingProblems(settings),
  ]);
}
