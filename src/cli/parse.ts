import { parseDuration } from "../core/duration.js";
import type { Json } from "../core/json.js";
import { UsageError } from "../errors.js";

export { parseDagDate, parseDate } from "../ops/parse-date.js";

/** `key=value` pairs; a value that parses as JSON is taken as JSON (`n=3`, `flags=[1,2]`), else as a string. */
export function parseParams(pairs: readonly string[]): Record<string, Json> {
  const params: Record<string, Json> = {};
  for (const pair of pairs) {
    const index = pair.indexOf("=");
    if (index <= 0) throw new UsageError(`--param "${pair}" is not key=value`);
    const raw = pair.slice(index + 1);
    let value: Json;
    try {
      value = JSON.parse(raw) as Json;
    } catch {
      value = raw;
    }
    params[pair.slice(0, index)] = value;
  }
  return params;
}

/** A whole number >= 1 given to `flag`. */
export function parsePositiveInt(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${flag} must be a whole number >= 1, got "${value}"`);
  return number;
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A duration flag (`--grace`, `scheduler stop --timeout`): a plain number is seconds (`30`, `0`,
 * `1.5`), anything else needs units (`500ms`, `30s`, `2m`, `1h30m`). Undefined stays undefined,
 * so an optional flag's absence passes through.
 */
export function parseGrace(value: string, flag?: string): number;
export function parseGrace(value: string | undefined, flag?: string): number | undefined;
export function parseGrace(value: string | undefined, flag = "--grace"): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (ms === undefined) throw new UsageError(`${flag} "${value}" is not a duration (e.g. 30s, 2m)`);
  return ms;
}

/** The `--grace` option, shared by the commands that execute runs in the foreground. */
export const GRACE_OPTION = [
  "--grace <duration>",
  "after Ctrl-C or SIGTERM, how long running tasks may finish before they are stopped; 0 stops them at once (default: 30s)",
] as const;
