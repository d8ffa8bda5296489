import { describe, expect, it } from "vitest";
import type { TaskPolicy } from "../../../src/core/dag.js";
import { retryDelayMs } from "../../../src/core/retry.js";

const policy = (overrides: Partial<TaskPolicy>): TaskPolicy => ({
  retries: 5,
  retryDelayMs: 30_000,
  retryExponentialBackoff: false,
  maxRetryDelayMs: undefined,
  timeoutMs: undefined,
  triggerRule: "all_success",
  dependsOnPast: false,
  queue: undefined,
  ...overrides,
});

const key = (n: number): string => `etl#load#2026-01-01T00:00:00.000Z#${n}`;

describe("retryDelayMs", () => {
  it.each([
    ["first try", 1],
    ["fifth try", 5],
  ])("fixed delay is retryDelay exactly, whatever the try (%s)", (_name, n) => {
    expect(retryDelayMs(policy({}), n, key(n))).toBe(30_000);
  });

  it("fixed delay ignores maxRetryDelay, as Airflow does", () => {
    expect(retryDelayMs(policy({ maxRetryDelayMs: 1_000 }), 1, key(1))).toBe(30_000);
  });

  // Airflow's example: retry_delay 30 s gives try1 30-59 s, try2 60-119, try3 120-239, try4 240-479.
  it.each([
    ["try 1", 1, 30, 59],
    ["try 2", 2, 60, 119],
    ["try 3", 3, 120, 239],
    ["try 4", 4, 240, 479],
  ])("exponential %s lies in [%i s, %i s] for many keys", (_name, n, low, high) => {
    for (let i = 0; i < 50; i++) {
      const delay = retryDelayMs(
        policy({ retryExponentialBackoff: true }),
        n,
        `dag#task#${i}#${n}`,
      );
      expect(delay % 1_000).toBe(0);
      expect(delay).toBeGreaterThanOrEqual(low * 1_000);
      expect(delay).toBeLessThanOrEqual(high * 1_000);
    }
  });

  it("exponential jitter is deterministic per key and varies across keys", () => {
    const exponential = policy({ retryExponentialBackoff: true });
    expect(retryDelayMs(exponential, 3, key(3))).toBe(retryDelayMs(exponential, 3, key(3)));
    const delays = new Set(
      Array.from({ length: 20 }, (_, i) => retryDelayMs(exponential, 3, `k${i}`)),
    );
    expect(delays.size).toBeGreaterThan(5);
  });

  it.each([
    [
      "a sub-second delay has a 1 s base",
      policy({ retryExponentialBackoff: true, retryDelayMs: 100 }),
      1,
      1_000,
      1_000,
    ],
    [
      "a zero delay has a 1 s base",
      policy({ retryExponentialBackoff: true, retryDelayMs: 0 }),
      1,
      1_000,
      1_000,
    ],
    [
      "capped at 24 h",
      policy({ retryExponentialBackoff: true, retryDelayMs: 3_600_000 }),
      10,
      86_400_000,
      86_400_000,
    ],
    [
      "a huge try number is capped, not Infinity",
      policy({ retryExponentialBackoff: true }),
      5_000,
      86_400_000,
      86_400_000,
    ],
    [
      "then capped by maxRetryDelay",
      policy({ retryExponentialBackoff: true, maxRetryDelayMs: 90_000 }),
      4,
      90_000,
      90_000,
    ],
    [
      "maxRetryDelay above the delay changes nothing",
      policy({ retryExponentialBackoff: true, maxRetryDelayMs: 3_600_000 }),
      1,
      30_000,
      59_000,
    ],
  ])("exponential: %s", (_name, p, n, low, high) => {
    const delay = retryDelayMs(p, n, key(n));
    expect(delay).toBeGreaterThanOrEqual(low);
    expect(delay).toBeLessThanOrEqual(high);
  });
});
