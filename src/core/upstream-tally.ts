import type { Dag } from "./dag.js";
import type { TaskInstance } from "./run.js";
import type { TaskState } from "./states.js";
import { instanceIn } from "./task-table.js";
import type { UpstreamCounts } from "./trigger-rules.js";

// The states the trigger rules count, each a slot of a task's five counters; others count only
// in the total.
const SLOTS = 5;
const SUCCESS = 0;
const FAILED = 1;
const UPSTREAM_FAILED = 2;
const SKIPPED = 3;
const REMOVED = 4;
const NONE: readonly string[] = [];

function slotOf(state: TaskState | undefined): number {
  switch (state) {
    case "success":
      return SUCCESS;
    case "failed":
      return FAILED;
    case "upstream_failed":
      return UPSTREAM_FAILED;
    case "skipped":
      return SKIPPED;
    case "removed":
      return REMOVED;
    default:
      return -1;
  }
}

/** A task's state in a task table: undefined when it has no instance. */
export function stateIn(
  tasks: Readonly<Record<string, TaskInstance>>,
  taskId: string,
): TaskState | undefined {
  return instanceIn(tasks, taskId)?.state;
}

/**
 * The trigger rules' inputs (countUpstreamStates) of every task of a run, kept up to date as its
 * task instances change: a run's engine reports each change it makes to its table (change), and
 * settling after a task end then reads a downstream task's counts instead of looking up each of
 * its upstream tasks. That is O(downstream tasks) a task end instead of O(downstream x upstream):
 * a layer of 300 tasks that each wait for the 300 of the layer before cost 2-5 ms a task end
 * (bench/probes/settle-layers.ts). settleRun reads it for tasks with many upstream tasks (48 or
 * more); below that, looking them up costs less. Data in, counts out: no I/O, no clock.
 *
 * It relies on what buildDag guarantees: a task's upstream and downstream lists mirror each
 * other, each edge once.
 */
export class UpstreamTally {
  private readonly offsets = new Map<string, number>();
  private readonly values: Int32Array;

  /** The counts of `tasks`, the table the owner then changes only through change(). */
  constructor(
    private readonly dag: Dag,
    tasks: Readonly<Record<string, TaskInstance>>,
  ) {
    let offset = 0;
    for (const id of dag.tasks.keys()) {
      this.offsets.set(id, offset);
      offset += SLOTS;
    }
    this.values = new Int32Array(offset);
    for (const spec of dag.tasks.values()) {
      const at = this.offsets.get(spec.id)!;
      for (const id of spec.upstream) {
        const slot = slotOf(stateIn(tasks, id));
        if (slot >= 0) this.values[at + slot]!++;
      }
    }
  }

  /** `taskId`'s instance in the table went from `before` to `after` (undefined: none). */
  change(taskId: string, before: TaskState | undefined, after: TaskState | undefined): void {
    this.moves(taskId, before, after, (at, slot, by) => {
      this.values[at + slot]! += by;
    });
  }

  /**
   * An empty set of changes on top of the table, for those settleRun has not handed back yet (a
   * pending try end, a skip it just decided): countsOf adds it; the tally itself does not change.
   */
  delta(): UpstreamDelta {
    return new UpstreamDelta(this);
  }

  /** The counts of `taskId`'s upstream task instances, with `delta` on top when given. */
  countsOf(taskId: string, delta?: UpstreamDelta): UpstreamCounts | undefined {
    const spec = this.dag.tasks.get(taskId);
    const at = this.offsets.get(taskId);
    if (spec === undefined || at === undefined) return undefined;
    const extra = delta?.isEmpty() === false ? delta : undefined;
    const count = (slot: number): number => this.values[at + slot]! + (extra?.at(at + slot) ?? 0);
    const success = count(SUCCESS);
    const failed = count(FAILED);
    const upstreamFailed = count(UPSTREAM_FAILED);
    const skipped = count(SKIPPED);
    const removed = count(REMOVED);
    return {
      total: spec.upstream.length,
      success,
      failed,
      upstreamFailed,
      skipped,
      removed,
      done: success + failed + upstreamFailed + skipped + removed,
    };
  }

  /**
   * @internal Calls `add` for each counter a change of `taskId` from `before` to `after` moves:
   * the counters of its downstream tasks (at their offset), -1 for the old state, +1 for the new.
   */
  moves(
    taskId: string,
    before: TaskState | undefined,
    after: TaskState | undefined,
    add: (at: number, slot: number, by: number) => void,
  ): void {
    const from = slotOf(before);
    const to = slotOf(after);
    if (from === to) return;
    for (const id of this.dag.tasks.get(taskId)?.downstream ?? NONE) {
      const at = this.offsets.get(id)!;
      if (from >= 0) add(at, from, -1);
      if (to >= 0) add(at, to, 1);
    }
  }
}

/** Changes on top of an UpstreamTally, for one settleRun call (see UpstreamTally.delta). */
export class UpstreamDelta {
  // By counter (a task's offset + slot): what the changes add to the tally's value.
  private readonly added = new Map<number, number>();

  constructor(private readonly tally: UpstreamTally) {}

  change(taskId: string, before: TaskState | undefined, after: TaskState | undefined): void {
    this.tally.moves(taskId, before, after, (at, slot, by) => {
      const counter = at + slot;
      this.added.set(counter, (this.added.get(counter) ?? 0) + by);
    });
  }

  /** @internal */
  isEmpty(): boolean {
    return this.added.size === 0;
  }

  /** @internal What the changes add to the tally's counter `counter`. */
  at(counter: number): number | undefined {
    return this.added.get(counter);
  }
}
