import type { TaskInstance } from "../../core/run.js";
import type { TaskState } from "../../core/states.js";
import { STATE_ORDER, paint, type ColorOption } from "./colors.js";
import { formatCount } from "./format.js";

/** How many task instances are in each state (states with none are left out). */
export function countTaskStates(
  tasks: Iterable<Pick<TaskInstance, "state">>,
): Map<TaskState, number> {
  const counts = new Map<TaskState, number>();
  for (const ti of tasks) counts.set(ti.state, (counts.get(ti.state) ?? 0) + 1);
  return counts;
}

/** `5 success, 1 failed, 2 upstream_failed`: non-zero counts in the legend's order, each in its colour. */
export function formatCounts(counts: ReadonlyMap<TaskState, number>, color: ColorOption): string {
  return STATE_ORDER.filter((state) => (counts.get(state) ?? 0) > 0)
    .map((state) => paint(`${formatCount(counts.get(state)!)} ${state}`, state, color))
    .join(", ");
}
