import { HTTP_SETTING_NAMES, httpSettingProblems } from "../core/http-settings.js";
import { splitKindSettings } from "../core/kind-settings.js";
import type { Task, TaskFunction } from "./definitions.js";
import type { HttpOptions, HttpSettings } from "./http-types.js";
import { makeTask, type AnyOptions } from "./make-task.js";

/**
 * A task that makes one HTTP request with Node's fetch (Airflow's HttpOperator): to `url`, or to
 * a connection's base URL plus `path`. A status outside `expectedStatus` (default 2xx), a
 * `check` returning false, or no response at all fails the try. The body becomes the task's
 * result (`responseAs`) or a file (`saveTo`). Its settings are checked when the pipeline loads.
 */
export function http(id: string, options: HttpOptions): Task {
  const { settings, rest, problems } = splitKindSettings(
    options as unknown as Record<string, unknown>,
    HTTP_SETTING_NAMES,
  );
  const run: TaskFunction = async (ctx) =>
    (await import("../tasks/http/run-http-task.js")).runHttpTask(settings as HttpSettings, ctx);
  return makeTask(id, "function", "plain", rest as AnyOptions, {
    run,
    problems: [...problems, ...httpSettingProblems(settings)],
  });
}
