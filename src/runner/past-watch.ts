import type { Dag, TaskSpec } from "../core/dag.js";
import { decideDependsOnPast, findPreviousRun } from "../core/depends-on-past.js";
import { decidePastStall, type HeldByPast, type PastStall } from "../core/past-stall.js";
import type { TaskInstance } from "../core/run.js";
import type { StateStore } from "../store/state-store.js";

/** How a run reads its previous run, and when it reads it again while a task waits for it. */
export interface PastSource {
  readonly store: Pick<StateStore, "listRuns" | "getRun">;
  /** Calls `listener` whenever a run of `dagId` ends in this process; returns the unsubscribe. */
  onRunEnded(dagId: string, listener: () => void): () => void;
  /** How often to read the previous run again while a task waits (another process may run it). */
  readonly pollMs: number;
}

const NOTHING_HELD: ReadonlySet<string> = new Set();
const WAITING: PastStall = { kind: "waiting" };

/**
 * The dependsOnPast side of one run's execution (I/O and timers; the decisions are the core's):
 * reads the previous run, keeps the core's decision for each task it holds from starting, and
 * reads it again when a run of the DAG ends in this process or every pollMs, calling `onRead`
 * with the tasks no longer held.
 */
export class PastWatch {
  // The decision for each task the previous run keeps from starting (wait or blocked).
  readonly held = new Map<string, HeldByPast>();
  /** The previous run was read since a task last started: a stall can trust `held`. */
  fresh = false;
  // undefined: not looked up yet; null: there is none (the first run: nothing is ever held).
  private previousRunId: string | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private stopped = false;

  constructor(
    private readonly dag: Dag,
    private readonly logicalDate: string,
    // The run's live task table (the runner updates it in place).
    private readonly tasks: Readonly<Record<string, TaskInstance>>,
    private readonly source: PastSource | undefined,
    private readonly onRead: (released: readonly string[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  // The dependsOnPast tasks that have yet to start a try: the ones the previous run may hold.
  private candidates(): TaskSpec[] {
    return [...this.dag.tasks.values()].filter((spec) => {
      const state = this.tasks[spec.id]?.state;
      return spec.dependsOnPast && (state === "none" || state === "up_for_retry");
    });
  }

  /** Reads the previous run (all runs the first time, then that one only) and sets `held`. */
  async read(): Promise<void> {
    const { source } = this;
    if (!source || this.previousRunId === null || this.candidates().length === 0) {
      this.held.clear();
      return;
    }
    let previous;
    if (this.previousRunId === undefined) {
      previous = findPreviousRun(await source.store.listRuns(this.dag.id), this.logicalDate);
      this.previousRunId = previous?.run_id ?? null;
    } else {
      previous = await source.store.getRun(this.dag.id, this.previousRunId);
    }
    const decisions = decideDependsOnPast(this.dag, previous);
    this.held.clear();
    for (const spec of this.candidates()) {
      const decision = decisions.get(spec.id);
      if (decision !== undefined && decision.kind !== "met") this.held.set(spec.id, decision);
    }
    this.fresh = true;
  }

  /** After the first read: read again whenever a run of the DAG ends in this process. */
  watchRunEnds(): () => void {
    if (!this.source || !this.previousRunId) return () => undefined;
    return this.source.onRunEnded(this.dag.id, () => this.refresh());
  }

  /** Reads the previous run again (one read at a time), then calls onRead with what it released. */
  refresh(): void {
    if (this.stopped || this.held.size === 0) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    const before = new Set(this.held.keys());
    this.reading = this.read()
      .then(() => {
        if (!this.stopped) this.onRead([...before].filter((id) => !this.held.has(id)));
      })
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          this.refresh();
        }
      });
  }

  /** While a task is held, reads the previous run every pollMs: another process may execute it. */
  poll(): void {
    const { source } = this;
    if (!source || this.held.size === 0 || this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, source.pollMs);
  }

  /** What settleRun may not start; the same empty set when nothing is held (every task end asks). */
  heldIds(): ReadonlySet<string> {
    return this.held.size === 0 ? NOTHING_HELD : new Set(this.held.keys());
  }

  /**
   * Nothing is active in the run but tasks are held: what the core says of it (decidePastStall),
   * except that a "blocked" read before a task last started is read again first (another process
   * may have fixed the previous run since): the run waits for that read meanwhile.
   */
  stall(at: Date): PastStall {
    const stall = decidePastStall(this.dag, this.tasks, this.held, at);
    if (stall.kind === "blocked" && !this.fresh) {
      this.refresh();
      return WAITING;
    }
    if (stall.kind !== "waiting") this.held.clear();
    return stall;
  }

  /** The run ended: no more reads. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
