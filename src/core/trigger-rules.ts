import type { TriggerRule } from "./dag.js";
import type { TaskState } from "./states.js";

/** How many direct upstream task instances are in each state (Airflow's trigger rule inputs). */
export interface UpstreamCounts {
  readonly total: number;
  readonly success: number;
  readonly failed: number;
  readonly upstreamFailed: number;
  readonly skipped: number;
  readonly removed: number;
  /** success + failed + upstreamFailed + skipped + removed */
  readonly done: number;
}

/** Counts the states of a task's direct upstream task instances; unfinished ones only add to total. */
export function countUpstreamStates(states: Iterable<TaskState>): UpstreamCounts {
  return countUpstreamOf([...states], (state) => state);
}

/**
 * countUpstreamStates of `ids`, each looked up with `stateOf`: no array of states is built, which
 * matters when every task end re-counts a wide fan-in (25 downstream tasks of 25 upstream each).
 */
export function countUpstreamOf<T>(
  ids: readonly T[],
  stateOf: (id: T) => TaskState,
): UpstreamCounts {
  let success = 0;
  let failed = 0;
  let upstreamFailed = 0;
  let skipped = 0;
  let removed = 0;
  for (let i = 0; i < ids.length; i++) {
    const state = stateOf(ids[i]!);
    if (state === "success") success++;
    else if (state === "failed") failed++;
    else if (state === "upstream_failed") upstreamFailed++;
    else if (state === "skipped") skipped++;
    else if (state === "removed") removed++;
  }
  const done = success + failed + upstreamFailed + skipped + removed;
  return { total: ids.length, success, failed, upstreamFailed, skipped, removed, done };
}

/** run now, keep waiting, or never run (and which terminal state to set). */
export type TriggerDecision = "run" | "wait" | "skip" | "upstream_failed";

/**
 * Airflow's trigger rule table in scheduler mode (trigger_rule_dep.py with flag_upstream_failed):
 * no upstream or `always` runs at once; otherwise a rule that can no longer be met says skip or
 * upstream_failed as soon as the deciding upstream finishes (fail-fast), without waiting for the
 * rest. A removed upstream counts as done but not as success, so all_success can then only wait.
 */
export function decideTrigger(rule: TriggerRule, counts: UpstreamCounts): TriggerDecision {
  const { total, success, skipped, done } = counts;
  const failures = counts.failed + counts.upstreamFailed;
  const allDone = done >= total;
  if (total === 0 || rule === "always") return "run";
  switch (rule) {
    case "all_success":
      if (failures > 0) return "upstream_failed";
      if (skipped > 0) return "skip";
      return success === total ? "run" : "wait";
    case "all_failed":
      if (success > 0 || skipped > 0) return "skip";
      return failures === total ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "all_skipped":
      if (success + failures > 0) return "skip";
      return skipped === total ? "run" : "wait";
    case "one_success":
      if (success > 0) return "run";
      if (allDone) return skipped === done ? "skip" : "upstream_failed";
      return "wait";
    case "one_failed":
      if (failures > 0) return "run";
      return allDone ? "skip" : "wait";
    case "one_done":
      if (success + counts.failed > 0) return "run";
      return allDone ? "skip" : "wait";
    case "none_failed":
      if (failures > 0) return "upstream_failed";
      return success + skipped === total ? "run" : "wait";
    case "none_failed_min_one_success":
      if (failures > 0) return "upstream_failed";
      if (skipped === total) return "skip";
      return success + skipped === total ? "run" : "wait";
    case "none_skipped":
      if (skipped > 0) return "skip";
      return allDone ? "run" : "wait";
  }
}
