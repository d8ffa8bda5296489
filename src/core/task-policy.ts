import { TRIGGER_RULES, type TaskPolicy, type TriggerRule } from "./dag.js";
import { closest } from "./did-you-mean.js";
import { describeValue } from "./describe-value.js";
import { DURATION_HELP, parseDuration } from "./duration.js";

/** Airflow's defaults: no retries, 300 s between tries, all_success, no depends_on_past. */
export const DEFAULT_POLICY: TaskPolicy = {
  retries: 0,
  retryDelayMs: 300_000,
  retryExponentialBackoff: false,
  maxRetryDelayMs: undefined,
  timeoutMs: undefined,
  triggerRule: "all_success",
  dependsOnPast: false,
  queue: undefined,
};

/** What a queue may be called (BullMQ keys and flow's log keys carry it). */
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** The options every task kind takes (besides dependencies and callbacks). */
export const OPTION_NAMES = [
  "retries",
  "retryDelay",
  "retryExponentialBackoff",
  "maxRetryDelay",
  "timeout",
  "triggerRule",
  "dependsOnPast",
  "queue",
] as const;

/**
 * Validates task options (or a DAG's `defaults`) and lays them over `base`. Returns the policy and
 * one message per problem; an option that is missing or undefined keeps the base value, a bad one
 * keeps it too (the caller reports the messages and builds nothing).
 */
export function resolvePolicy(
  options: unknown,
  base: TaskPolicy,
  // Options of the task's kind that the caller took out (a sensor's): named in did-you-mean.
  kindOptions: readonly string[] = [],
): { policy: TaskPolicy; problems: string[] } {
  const problems: string[] = [];
  if (options === undefined || options === null) return { policy: base, problems };
  if (typeof options !== "object" || Array.isArray(options)) {
    return { policy: base, problems: [`options must be an object, got ${describeValue(options)}`] };
  }
  const given = options as Record<string, unknown>;
  const keys = Object.keys(given);
  if (keys.length === 0) return { policy: base, problems };
  for (const key of keys) {
    if ((OPTION_NAMES as readonly string[]).includes(key)) continue;
    const names = kindOptions.length === 0 ? OPTION_NAMES : [...OPTION_NAMES, ...kindOptions];
    const guess = closest(key, names);
    problems.push(
      `unknown option "${key}"` +
        (guess ? ` (did you mean "${guess}"?)` : ` (options are: ${names.join(", ")})`),
    );
  }
  const policy: { -readonly [K in keyof TaskPolicy]: TaskPolicy[K] } = { ...base };
  const {
    retries,
    retryDelay,
    retryExponentialBackoff,
    maxRetryDelay,
    timeout,
    triggerRule,
    dependsOnPast,
    queue,
  } = given;
  if (retries !== undefined) {
    if (typeof retries === "number" && Number.isInteger(retries) && retries >= 0)
      policy.retries = retries;
    else problems.push(`retries must be a non-negative integer, got ${describeValue(retries)}`);
  }
  const duration = (name: string, value: unknown, positive = false): number | undefined => {
    const ms = parseDuration(value);
    if (ms !== undefined && (!positive || ms > 0)) return ms;
    const what = positive ? "a duration greater than zero" : "a duration";
    problems.push(`${name} must be ${what}: ${DURATION_HELP}; got ${describeValue(value)}`);
    return undefined;
  };
  if (retryDelay !== undefined)
    policy.retryDelayMs = duration("retryDelay", retryDelay) ?? base.retryDelayMs;
  if (maxRetryDelay !== undefined)
    policy.maxRetryDelayMs = duration("maxRetryDelay", maxRetryDelay);
  if (timeout !== undefined) policy.timeoutMs = duration("timeout", timeout, true);
  if (retryExponentialBackoff !== undefined) {
    if (typeof retryExponentialBackoff === "boolean")
      policy.retryExponentialBackoff = retryExponentialBackoff;
    else
      problems.push(
        `retryExponentialBackoff must be true or false, got ${describeValue(retryExponentialBackoff)}`,
      );
  }
  if (dependsOnPast !== undefined) {
    if (typeof dependsOnPast === "boolean") policy.dependsOnPast = dependsOnPast;
    else problems.push(`dependsOnPast must be true or false, got ${describeValue(dependsOnPast)}`);
  }
  if (queue !== undefined) {
    if (typeof queue === "string" && QUEUE_NAME.test(queue)) policy.queue = queue;
    else
      problems.push(
        `queue must be a name of letters, digits, _ . and - (a \`flow worker --queue\`), got ${describeValue(queue)}`,
      );
  }
  if (triggerRule !== undefined) {
    if (isTriggerRule(triggerRule)) policy.triggerRule = triggerRule;
    else problems.push(triggerRuleProblem(triggerRule));
  }
  return { policy, problems };
}

function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === "string" && (TRIGGER_RULES as readonly string[]).includes(value);
}

function triggerRuleProblem(value: unknown): string {
  const guess = typeof value === "string" ? closest(value, TRIGGER_RULES) : undefined;
  if (guess)
    return `triggerRule ${describeValue(value)} is not a trigger rule (did you mean "${guess}"?)`;
  return `triggerRule ${describeValue(value)} is not a trigger rule (use one of: ${TRIGGER_RULES.join(", ")})`;
}
