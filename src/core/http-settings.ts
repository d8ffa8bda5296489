import { describeValue } from "./describe-value.js";

/** What only http tasks take, besides the options every task takes. */
export const HTTP_SETTING_NAMES = [
  "method",
  "url",
  "connection",
  "path",
  "query",
  "headers",
  "body",
  "json",
  "expectedStatus",
  "check",
  "responseAs",
  "saveTo",
] as const;

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Schemes an http task can fetch; `file:` is read from disk (examples and tests run offline). */
const URL_SCHEMES = ["http:", "https:", "file:"];

/**
 * Every problem of an http task's own settings that can be known when the pipeline loads (values
 * given as functions of the run context are checked when the try runs). Empty when all is well.
 */
export function httpSettingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { method, url, connection, path, query, headers, body, json } = settings;
  const { expectedStatus, check, responseAs, saveTo } = settings;
  if (method !== undefined && !isHttpMethod(method))
    problems.push(`method ${describeValue(method)} is not one of ${HTTP_METHODS.join(", ")}`);
  if (url === undefined && connection === undefined)
    problems.push("needs a `url`, or a `connection` (and a `path`)");
  if (url !== undefined && connection !== undefined)
    problems.push("takes a `url` or a `connection`, not both");
  if (typeof url === "string") {
    const problem = urlProblem(url);
    if (problem) problems.push(problem);
  } else if (url !== undefined && typeof url !== "function")
    problems.push(`url must be a string or a function of ctx, got ${describeValue(url)}`);
  if (connection !== undefined && (typeof connection !== "string" || connection === ""))
    problems.push(`connection must be a connection id, got ${describeValue(connection)}`);
  if (path !== undefined && typeof path !== "string" && typeof path !== "function")
    problems.push(`path must be a string or a function of ctx, got ${describeValue(path)}`);
  if (path !== undefined && connection === undefined)
    problems.push("`path` is relative to a connection's base URL: give a `connection` too");
  for (const [name, value] of [
    ["query", query],
    ["headers", headers],
  ] as const)
    if (value !== undefined && typeof value !== "function" && !isPlainRecord(value))
      problems.push(`${name} must be an object of names to values, got ${describeValue(value)}`);
  if (body !== undefined && json !== undefined) problems.push("takes `body` or `json`, not both");
  if (
    (body !== undefined || json !== undefined) &&
    ["GET", "HEAD"].includes(String(method ?? "GET"))
  )
    problems.push(
      `a ${String(method ?? "GET")} request has no body: set \`method\` (POST, PUT...)`,
    );
  if (body !== undefined && !["string", "function"].includes(typeof body))
    problems.push(`body must be a string or a function of ctx, got ${describeValue(body)}`);
  if (expectedStatus !== undefined && !isStatusList(expectedStatus))
    problems.push(
      `expectedStatus must be a list of status codes (100-599) or a function (status) => boolean, got ${describeStatusList(expectedStatus)}`,
    );
  if (check !== undefined && typeof check !== "function")
    problems.push(`check must be a function (response) => boolean, got ${describeValue(check)}`);
  if (responseAs !== undefined && !["json", "text", "none"].includes(responseAs as string))
    problems.push(`responseAs must be "json", "text" or "none", got ${describeValue(responseAs)}`);
  if (
    saveTo !== undefined &&
    typeof saveTo !== "function" &&
    (typeof saveTo !== "string" || saveTo === "")
  )
    problems.push(`saveTo must be a file path, got ${describeValue(saveTo)}`);
  if (saveTo !== undefined && responseAs !== undefined)
    problems.push("takes `saveTo` or `responseAs`, not both (saveTo's result is the file's path)");
  return problems;
}

/** The problem of a URL an http task was given, or undefined; never quotes its credentials. */
export function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url ${describeValue(url.replace(/\/\/[^/@]*@/, "//***@"))} is not an absolute URL`;
  }
  if (!URL_SCHEMES.includes(parsed.protocol))
    return `url scheme "${parsed.protocol}" is not supported (use http:, https: or file:)`;
  // fetch refuses such a URL, quoting it whole; the log line would show it too. A connection
  // keeps the password out of the pipeline, and sends it as Basic auth.
  if (parsed.username !== "" || parsed.password !== "") {
    parsed.username = "";
    parsed.password = "";
    return `url ${describeValue(parsed.href)} has a login or password in it: put credentials in a connection (FLOW_CONN_<ID> or the state dir's connections.json) and give its id as \`connection\``;
  }
  return undefined;
}

export function isHttpMethod(value: unknown): value is (typeof HTTP_METHODS)[number] {
  return typeof value === "string" && (HTTP_METHODS as readonly string[]).includes(value);
}

function isPlainRecord(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The bad element of a list (`999 in the list`), else the value as describeValue says it.
function describeStatusList(value: unknown): string {
  if (!Array.isArray(value)) return describeValue(value);
  if (value.length === 0) return "an empty list";
  const bad: unknown = value.find((n) => !(Number.isInteger(n) && n >= 100 && n <= 599));
  return `${describeValue(bad)} in the list`;
}

function isStatusList(value: unknown): boolean {
  if (typeof value === "function") return true;
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((n) => Number.isInteger(n) && n >= 100 && n <= 599)
  );
}
