import { describeValue } from "./describe-value.js";

// Ids end up in file paths and run ids: no "/", no leading "." (so never "." or ".."), no spaces.
const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const ID_MAX_LENGTH = 250;
const ID_RULE = `use letters, digits, "_", "-" and "." (not first), at most ${ID_MAX_LENGTH} characters`;

/** What is wrong with a DAG or task id (`what` names it in the message), or undefined. */
export function checkId(value: unknown, what: string): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `${what} must be a non-empty string, got ${describeValue(value)}`;
  }
  if (value.length > ID_MAX_LENGTH)
    return `${what} "${value.slice(0, 40)}..." is too long: ${ID_RULE}`;
  if (!ID_PATTERN.test(value)) return `${what} "${value}" is not valid: ${ID_RULE}`;
  // An own "__proto__" key is easy to lose in a plain object (run.tasks is keyed by task id).
  if (value === "__proto__") return `${what} "__proto__" is reserved`;
  return undefined;
}
