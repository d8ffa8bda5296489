import { resolve } from "node:path";
import type { TaskContext } from "../../api/context.js";
import type { FromContext, HttpSettings } from "../../api/http-types.js";
import { connectionBaseUrl, type Connection } from "../../core/connection.js";
import { urlProblem } from "../../core/http-settings.js";
import { FailTask } from "../../api/signals.js";

/** One request, ready for fetch: every value computed, the connection resolved. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** Absolute path, when the body goes to a file. */
  readonly saveTo: string | undefined;
}

/** The subset of the task context a request needs (an HTTP sensor's poke has the same). */
export type HttpContext = Pick<TaskContext, "connection" | "pipelineDir" | "signal" | "log">;

function valueOf<T>(value: FromContext<T> | undefined, ctx: HttpContext): T | undefined {
  return typeof value === "function"
    ? (value as (ctx: TaskContext) => T)(ctx as TaskContext)
    : value;
}

/** Airflow's HttpHook sends a connection's extra as headers, and its login as Basic auth. */
export function connectionHeaders(connection: Connection): Record<string, string> {
  const headers: Record<string, string> = { ...connection.extra };
  if (connection.login !== undefined) {
    const pair = `${connection.login}:${connection.password ?? ""}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  }
  return headers;
}

/**
 * The request an http task's settings describe for this try. A URL known only now (a function
 * of ctx) is checked now; a bad one fails the try without retry.
 */
export function buildRequest(settings: HttpSettings, ctx: HttpContext): HttpRequest {
  const headers: Record<string, string> = {};
  let url: URL;
  if (settings.connection !== undefined) {
    const connection = ctx.connection(settings.connection);
    if (connection.scheme !== "http" && connection.scheme !== "https")
      throw new FailTask(
        `connection "${connection.id}" is ${connection.scheme}://, not http:// or https://`,
      );
    Object.assign(headers, connectionHeaders(connection));
    const base = connectionBaseUrl(connection).replace(/\/$/, "");
    const path = valueOf(settings.path, ctx) ?? "";
    url = new URL(path === "" ? base : `${base}/${path.replace(/^\//, "")}`);
  } else {
    const text = String(valueOf(settings.url, ctx));
    const problem = urlProblem(text);
    if (problem) throw new FailTask(problem);
    url = new URL(text);
  }
  for (const [key, value] of Object.entries(valueOf(settings.query, ctx) ?? {}))
    url.searchParams.set(key, String(value));
  for (const [key, value] of Object.entries(valueOf(settings.headers, ctx) ?? {}))
    headers[key.toLowerCase()] = value;
  let body = valueOf(settings.body, ctx);
  const json = valueOf(settings.json, ctx);
  if (json !== undefined) {
    body = JSON.stringify(json);
    headers["content-type"] ??= "application/json";
  }
  const saveTo = valueOf(settings.saveTo, ctx);
  return {
    method: settings.method ?? "GET",
    url,
    headers,
    body,
    saveTo: saveTo === undefined ? undefined : resolve(ctx.pipelineDir, saveTo),
  };
}
