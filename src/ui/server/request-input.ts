import { HttpError } from "./http-error.js";
import type { Context } from "hono";
import { FlowError, UsageError } from "../../errors.js";
import { assertSafeId } from "../../store/state-paths.js";

// A request body larger than this is refused: every action's body is a few fields.
const MAX_BODY_BYTES = 64 * 1024;

/** A path or query id (dag, run, task), refused as bad input when it could not name a file. */
export function idParam(kind: "dag" | "run" | "task", value: string | undefined): string {
  if (value === undefined) throw new UsageError(`${kind} id is missing`);
  try {
    assertSafeId(kind, value);
  } catch (error) {
    if (error instanceof FlowError) throw new UsageError(error.message);
    throw error;
  }
  return value;
}

/** A whole number from the query string: `fallback` when absent, else at least `min`. */
export function intQuery(c: Context, name: string, fallback: number, min: number): number;
export function intQuery(
  c: Context,
  name: string,
  fallback: undefined,
  min: number,
): number | undefined;
export function intQuery(
  c: Context,
  name: string,
  fallback: number | undefined,
  min: number,
): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min)
    throw new UsageError(`${name} must be a whole number >= ${min}, got "${text}"`);
  return value;
}

/**
 * The JSON object of a POST. Only `application/json` is taken: a cross-site HTML form cannot send
 * it without a CORS preflight, which this server never answers.
 */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new UsageError(`the request body must be application/json, got "${type}"`);
  // The declared length first, so a huge body is refused before it is read.
  if (Number(c.req.header("content-length") ?? 0) > MAX_BODY_BYTES)
    throw new HttpError(413, `the request body is over ${MAX_BODY_BYTES} bytes`);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new HttpError(413, `the request body is over ${MAX_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new UsageError("the request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError("the request body must be a JSON object");
  return value as Record<string, unknown>;
}

/** Refuses fields an action does not know, so a typo is not silently ignored. */
export function onlyFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown field${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => `"${k}"`).join(", ")} (known: ${known.map((k) => `"${k}"`).join(", ")})`,
    );
}

/** An optional string field. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new UsageError(`"${name}" must be a string`);
  return value;
}

/** An optional boolean field (absent: false). */
export function booleanField(body: Record<string, unknown>, name: string): boolean {
  const value = body[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new UsageError(`"${name}" must be true or false`);
  return value;
}
