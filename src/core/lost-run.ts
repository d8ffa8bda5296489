import type { Dag } from "./dag.js";
import { isLostTry, recoverLostRun } from "./lost-tries.js";
import type { DagRun } from "./run.js";
import { applyRunEvent } from "./run-event.js";

/** How a reader marks a run whose flow process died and that no writer has recovered yet. */
export interface LostMark {
  /** The end given to its lost tries (and to the run, if that ends it): see lostAt. */
  readonly at: string;
  /** The tasks whose try the death lost, in the run's order. */
  readonly tasks: readonly string[];
}

/**
 * A run as a reader shows it: as stored, or, with `lost`, as the next writer will record it once
 * it recovers the run. `lost` is a view and never stored: the recovery records the reasons.
 */
export interface ShownRun extends DagRun {
  readonly lost?: LostMark;
}

/**
 * When a dead owner's tries count as lost: `lastSeen`, the last moment flow knows the owner was
 * alive (from its lock and journal), no later than `now` (a file system whose clock is ahead of
 * ours, or FLOW_NOW) and no earlier than the latest time the run records (its start, its tries'
 * starts and ends: the owner was alive to write them), so a lost try never ends before it started.
 * Without `lastSeen`, that latest recorded time. Unlike `now` it stays put, so the durations it
 * ends do not grow from one look to the next.
 */
export function lostAt(run: DagRun, lastSeen: Date | undefined, now: Date): Date {
  const recorded = latestRecordedTime(run);
  const seen = Math.min(lastSeen?.getTime() ?? recorded ?? now.getTime(), now.getTime());
  return new Date(Math.max(seen, recorded ?? seen));
}

/**
 * lostAt for a writer that records the recovery of `run`: `seen` is what its store saw of the
 * dead owner (OwnerSighting) just before the writer took the run's lock over, which replaces the
 * lock dir whose mtime readers went by. So the recovery records the end readers showed. Without
 * `seen` (a store with no lock to look at: the memory store), the writer's `now` (still held
 * after the latest recorded time).
 */
export function recoveryLostAt(
  run: DagRun,
  seen: { readonly lastSeen?: Date } | undefined,
  now: Date,
): Date {
  return lostAt(run, seen === undefined ? now : seen.lastSeen, now);
}

/**
 * `run`, which says running but whose owner died, shown as the recovery will leave it
 * (recoverLostRun), its lost tries ended at lostAt(run, lastSeen, now) and marked `lost`.
 */
export function showLostRun(
  dag: Dag,
  run: DagRun,
  lastSeen: Date | undefined,
  now: Date,
): ShownRun {
  const at = lostAt(run, lastSeen, now);
  const tasks = Object.values(run.tasks)
    .filter((instance) => isLostTry(dag, instance))
    .map((instance) => instance.task_id);
  const shown = applyRunEvent(run, recoverLostRun(dag, run, at));
  return { ...shown, lost: { at: at.toISOString(), tasks } };
}

// The latest instant the run records (ms), or undefined when it records none.
function latestRecordedTime(run: DagRun): number | undefined {
  const times = [run.start, run.owner?.heartbeat];
  for (const instance of Object.values(run.tasks)) times.push(instance.start, instance.end);
  let latest: number | undefined;
  for (const time of times) {
    const ms = time == null ? Number.NaN : Date.parse(time);
    if (!Number.isNaN(ms) && (latest === undefined || ms > latest)) latest = ms;
  }
  return latest;
}
