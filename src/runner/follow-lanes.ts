import { chainSuccessor } from "../core/chain-successor.js";
import type { Dag } from "../core/dag.js";
import type { TaskInstance } from "../core/run.js";
import type { TaskExecution, TryFollow } from "../executors/executor.js";

/** A try dispatched to start when another succeeds, in the lane that one frees. */
interface Follower {
  readonly taskId: string;
  /** Its instance before it was queued: what it goes back to if it never starts. */
  readonly before: TaskInstance;
  /** Stops it, started or not (the run stops; the try it follows was recorded as failed). */
  readonly abort: AbortController;
  /** Cancels it only while it waits (the run drains: what has started may finish). */
  readonly cancel: AbortController;
  readonly unlink: () => void;
  /** The try it follows, while that one has not ended; then it holds that one's slot. */
  leader: string | undefined;
  /** It follows a try whose own leader's end is not handled yet (its slot comes from there). */
  relinked: boolean;
}

/** What a follower's execution gets: what it follows, and a signal of its own. */
export interface Lane {
  readonly follow: TryFollow;
  readonly signal: AbortSignal;
}

/** A follower to dispatch: `taskId` once `leader` exits 0. */
export interface PlannedFollower {
  readonly leader: string;
  readonly taskId: string;
}

/**
 * One run's bash tries dispatched ahead (docs/adr/0009-dispatch-ahead.md): a chain's next task
 * (chainSuccessor) waits in the spawner for a running try of the run (its leader) to exit 0 and
 * starts in the lane that one frees, taking over its slot; flow takes it back if it never
 * starts, and stops it if the leader's recorded end is not a success after all (a timeout that
 * came as it exited 0). A leader has one follower at most, so the slots in use stay what they
 * count, and a run never has more than twice its running tries handed to the spawner.
 */
export class FollowLanes {
  /** The run's bash tries handed to the executor and not ended, by task id, in launch order. */
  private readonly executions = new Map<string, TaskExecution>();
  private readonly byLeader = new Map<string, Follower>();
  private readonly byTask = new Map<string, Follower>();
  /** Leaders whose follower did not start: they did not exit 0, so none follows them again. */
  private readonly refused = new Set<string>();

  /** Whether any bash try of the run runs (or waits), that is, may lead a follower. */
  get leading(): boolean {
    return this.executions.size > 0;
  }

  /** A bash try of the run was handed to the executor as `execution`. */
  launched(taskId: string, execution: TaskExecution): void {
    this.executions.set(taskId, execution);
  }

  /**
   * The followers to dispatch now: for each running try without a follower (a follower leads
   * only once it has started), or for `leader` only, its chain successor among bash tasks.
   */
  plan(
    dag: Dag,
    tasks: Readonly<Record<string, TaskInstance>>,
    options: { readonly now: Date; readonly held: ReadonlySet<string>; readonly leader?: string },
  ): PlannedFollower[] {
    const planned: PlannedFollower[] = [];
    const { now, held } = options;
    const leaders = options.leader === undefined ? this.executions.keys() : [options.leader];
    for (const leader of leaders) {
      if (this.byLeader.has(leader) || this.refused.has(leader)) continue;
      if (!this.executions.has(leader) || tasks[leader]?.state !== "running") continue;
      const next = chainSuccessor(dag, tasks, leader, { kind: "bash", now, held });
      if (next !== undefined && !planned.some((p) => p.taskId === next))
        planned.push({ leader, taskId: next });
    }
    return planned;
  }

  /** `planned.taskId`, as `before` until now, is dispatched: what its execution gets. */
  follow(planned: PlannedFollower, before: TaskInstance, runSignal: AbortSignal): Lane {
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    runSignal.addEventListener("abort", onAbort, { once: true });
    const unlink = (): void => runSignal.removeEventListener("abort", onAbort);
    const cancel = new AbortController();
    const { leader, taskId } = planned;
    const follower: Follower = { taskId, before, abort, cancel, unlink, leader, relinked: false };
    this.byLeader.set(leader, follower);
    this.byTask.set(taskId, follower);
    const follow = { after: this.executions.get(leader)!, cancel: cancel.signal };
    return { follow, signal: abort.signal };
  }

  /** The instance a follower that never started goes back to; undefined for other tries. */
  before(taskId: string): TaskInstance | undefined {
    return this.byTask.get(taskId)?.before;
  }

  /**
   * The try of `taskId` ended (`succeeded`: recorded as a success; a follower that never
   * started did not). Returns whether its slot is free now: false when its follower takes it
   * over, or when it held none (a follower whose leader has not ended: it passes its follower,
   * if any, on to that leader). A follower of a try that did not succeed is stopped.
   */
  ended(taskId: string, succeeded: boolean): boolean {
    this.executions.delete(taskId);
    this.refused.delete(taskId);
    const self = this.byTask.get(taskId);
    if (self) {
      this.byTask.delete(taskId);
      self.unlink();
    }
    const next = this.byLeader.get(taskId);
    this.byLeader.delete(taskId);
    if (next) {
      if (!succeeded && !next.relinked) next.abort.abort();
      next.leader = self?.leader;
    }
    if (self?.leader === undefined) return next === undefined;
    // It held no slot: its leader's passes to its follower, or is freed by the leader's end.
    if (next) {
      next.relinked = true;
      this.byLeader.set(self.leader, next);
    } else this.byLeader.delete(self.leader);
    if (!succeeded) this.refused.add(self.leader);
    return false;
  }

  /**
   * Cancels every follower still waiting (the run halts: nothing new starts); one the spawner
   * has started meanwhile runs on, as the run's other running tries do.
   */
  cancelWaiting(): void {
    for (const follower of this.byTask.values()) follower.cancel.abort();
  }
}
