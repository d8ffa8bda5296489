import type { Dag } from "./dag.js";

/** Why a `--reverse` backfill cannot finish: a task waits for a run that would start later. */
export interface ReverseBlocked {
  /** The first task (in definition order) with dependsOnPast. */
  readonly taskId: string;
  /** How many intervals the backfill covers: running that many at once lifts the block. */
  readonly intervals: number;
}

/**
 * Whether a newest-first backfill would stall: with a dependsOnPast task, each run waits for the
 * run of the interval before it, which newest-first starts later. That only finishes when every
 * run can be active at once (`runsAtOnce` >= `intervals`). Null when the backfill can go ahead,
 * including when it is not reversed or there is no interval at all.
 */
export function reverseBlockedByPast(
  dag: Pick<Dag, "tasks">,
  plan: { readonly reverse: boolean; readonly intervals: number; readonly runsAtOnce: number },
): ReverseBlocked | null {
  if (!plan.reverse || plan.runsAtOnce >= plan.intervals) return null;
  const task = [...dag.tasks.values()].find((spec) => spec.dependsOnPast);
  return task ? { taskId: task.id, intervals: plan.intervals } : null;
}
