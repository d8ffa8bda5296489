import type { TaskPolicy } from "./dag.js";

/** Airflow's `[core] max_task_retry_delay` default: no exponential delay exceeds a day. */
const MAX_EXPONENTIAL_DELAY_SECONDS = 86_400;

/**
 * How long to wait after try `failedTryNumber` (1 = the first try) failed, in ms.
 * Fixed: `retryDelayMs` exactly, `maxRetryDelayMs` ignored (as in Airflow).
 * Exponential: base = ceil(delay seconds x 2^(n-1)), at least 1 s; plus a jitter of
 * (hash(jitterKey) mod base) whole seconds, so the delay lies in [base, 2 x base - 1] s; capped at
 * 24 h, then at `maxRetryDelayMs` when set. The same jitterKey always gives the same delay: pass
 * `${dagId}#${taskId}#${logicalDate}#${failedTryNumber}` like Airflow does.
 */
export function retryDelayMs(
  policy: TaskPolicy,
  failedTryNumber: number,
  jitterKey: string,
): number {
  if (!policy.retryExponentialBackoff) return policy.retryDelayMs;
  const tryNumber = Math.max(1, Math.floor(failedTryNumber));
  const base = Math.max(1, Math.ceil((policy.retryDelayMs / 1_000) * 2 ** (tryNumber - 1)));
  const seconds =
    base >= MAX_EXPONENTIAL_DELAY_SECONDS
      ? MAX_EXPONENTIAL_DELAY_SECONDS
      : Math.min(base + (fnv1a32(jitterKey) % base), MAX_EXPONENTIAL_DELAY_SECONDS);
  const delay = seconds * 1_000;
  return policy.maxRetryDelayMs === undefined ? delay : Math.min(delay, policy.maxRetryDelayMs);
}

// Airflow hashes the key with SHA-1; core cannot import node:crypto, so we use 32-bit FNV-1a over
// the key's UTF-16 code units. Same shape (deterministic, spread over [0, base)), different numbers:
// a flow delay will not equal Airflow's to the second for the same key.
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
