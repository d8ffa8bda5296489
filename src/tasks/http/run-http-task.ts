import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { TaskContext } from "../../api/context.js";
import type { HttpSettings } from "../../api/http-types.js";
import type { Json } from "../../core/json.js";
import { HttpError } from "./http-error.js";
import { performHttp, responseProblem } from "./perform-http.js";

/**
 * One try of an http task: send, judge the response (status, check), then hand the body on as
 * the task's result (text by default, as Airflow's HttpOperator pushes response.text) or to a file.
 */
export async function runHttpTask(
  settings: HttpSettings,
  ctx: TaskContext,
): Promise<Json | undefined> {
  const { request, response } = await performHttp(settings, ctx);
  const problem = await responseProblem(settings, response);
  if (problem !== undefined)
    throw new HttpError(problem, problem.startsWith("check") ? "check" : "status");
  if (request.saveTo !== undefined) {
    await mkdir(dirname(request.saveTo), { recursive: true });
    await writeFile(request.saveTo, response.body);
    ctx.log.info(`saved ${response.body.length} bytes to ${request.saveTo}`);
    return { path: request.saveTo, bytes: response.body.length, status: response.status };
  }
  switch (settings.responseAs ?? "text") {
    case "none":
      return undefined;
    case "json":
      try {
        return response.json() as Json;
      } catch (error) {
        throw new HttpError(
          `the body is not JSON (${(error as Error).message}): ${response.url}`,
          "json",
        );
      }
    default:
      return response.text();
  }
}
