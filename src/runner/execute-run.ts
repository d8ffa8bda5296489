import { setMaxListeners } from "node:events";
import {
  readBranchChoice,
  skipForFailFast,
  skipShortCircuited,
  skipUnchosen,
} from "../core/branching.js";
import {
  buildRunContextBase,
  contextForTry,
  type NeighbourIntervals,
  type RunContextBase,
} from "../core/context.js";
import { neighboursOf } from "../core/dag-timetable.js";
import type { TaskKind, TaskSpec } from "../core/dag.js";
import { copyTaskTable } from "../core/task-table.js";
import {
  decideDependsOnPast,
  describePastBlock,
  findPreviousRun,
  type PastDecision,
} from "../core/depends-on-past.js";
import type { Json } from "../core/json.js";
import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import { decideRunOutcome } from "../core/run-outcome.js";
import { settleRun, type Settlement } from "../core/settle.js";
import {
  failTry,
  finishRun,
  interruptTry,
  markTask,
  newTaskInstance,
  requeueRun,
  skipTry,
  startRun,
  startTry,
  succeedTry,
} from "../core/transitions.js";
import type { Executor, TaskOutcome } from "../executors/executor.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter, StateStore } from "../store/state-store.js";
import { hasTaskCallbacks, runDagCallback, runTaskCallback } from "./callbacks.js";
import type { RunObserver } from "./observer.js";
import type { TaskSlots } from "./slots.js";

export interface ExecuteRunOptions {
  readonly loaded: LoadedDag;
  /** The run, opened (owned) by this process. executeRun saves to it but does not close it. */
  readonly writer: RunWriter;
  readonly executors: Readonly<Record<TaskKind, Executor>>;
  readonly slots: TaskSlots;
  readonly logPath: (taskId: string, tryNumber: number) => string;
  /** The run's own log, for what the DAG's callbacks write. */
  readonly runLogPath: string;
  /** The wall clock: task start and end times, retry delays. */
  readonly clock: () => Date;
  readonly owner: { readonly pid: number; readonly hostname: string };
  readonly observer?: RunObserver;
  /** Aborting it stops the run: nothing new starts, running tries are stopped and left to run again. */
  readonly signal?: AbortSignal;
  /**
   * Aborting it drains the run: nothing new starts, running tries go on to their end, then the
   * run goes back to queued (a graceful stop; `signal` then stops what is still running).
   */
  readonly drain?: AbortSignal;
  /** Where dependsOnPast tasks look at the previous run; without it, dependsOnPast is ignored. */
  readonly past?: PastSource;
}

/** How a run reads its previous run, and when it reads it again while a task waits for it. */
export interface PastSource {
  readonly store: Pick<StateStore, "listRuns" | "getRun">;
  /** Calls `listener` whenever a run of `dagId` ends in this process; returns the unsubscribe. */
  onRunEnded(dagId: string, listener: () => void): () => void;
  /** How often to read the previous run again while a task waits (another process may run it). */
  readonly pollMs: number;
}

const NOTHING_HELD: ReadonlySet<string> = new Set();
const RESOLVED = Promise.resolve();

/** Why a run stopped before its end: the user interrupted it, or failFast after a failure. */
type Halt =
  { readonly kind: "interrupted" } | { readonly kind: "fail_fast"; readonly failed: string };

/**
 * Executes one DAG run to its end: asks the core what is ready, starts it under the slot
 * limits the moment its upstream tasks are done (no polling), records every change, applies
 * branches, short-circuits and failFast, calls the callbacks, and decides the run's state by
 * Airflow's leaf rule. Resolves with the run as stored.
 */
export function executeRun(options: ExecuteRunOptions): Promise<DagRun> {
  return new RunExecution(options).execute();
}

class RunExecution {
  private readonly dag;
  private readonly tasks: Record<string, TaskInstance>;
  private run: RunFields;
  private readonly results: Record<string, Json> = {};
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly callbacks = new Set<Promise<void>>();
  private readonly neighbours: NeighbourIntervals;
  private sharedContext: RunContextBase | undefined;
  private running = 0;
  private halt: Halt | undefined;
  private done = false;
  private resolve!: (run: DagRun) => void;
  private reject!: (error: unknown) => void;
  private stopListening: () => void = () => undefined;
  // dependsOnPast: the decision for each task it keeps from starting (wait or blocked).
  private readonly held = new Map<string, Exclude<PastDecision, { kind: "met" }>>();
  // undefined: not looked up yet; null: there is none (the first run: nothing is ever held).
  private previousRunId: string | null | undefined;
  private pastTimer: NodeJS.Timeout | undefined;
  private readingPast: Promise<void> | undefined;
  private readPastAgain = false;
  // The previous run was read since a task last started: a stall can trust `held`.
  private pastFresh = false;
  private readonly blockedByPast: string[] = [];
  // What must wait until the saves before it are durable (see afterSaves).
  private effects: (() => void)[] = [];
  private flushQueued = false;

  constructor(private readonly options: ExecuteRunOptions) {
    this.dag = options.loaded.dag;
    const { tasks, ...run } = options.writer.run;
    this.run = run;
    options.writer.deferSaves();
    // Every running try listens to it (function tasks do): more than Node's 10 is expected.
    setMaxListeners(0, this.abort.signal);
    this.neighbours = neighboursOf(this.dag, run);
    this.tasks = copyTaskTable(tasks);
  }

  execute(): Promise<DagRun> {
    return new Promise<DagRun>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.begin().catch((error: unknown) => this.fail(error));
    });
  }

  private async begin(): Promise<void> {
    const { writer, clock, owner, signal, drain } = this.options;
    const at = clock();
    for (const spec of this.dag.tasks.values()) {
      const existing = this.tasks[spec.id];
      if (!existing) this.save(newTaskInstance(spec));
      else if (
        existing.state === "running" ||
        existing.state === "queued" ||
        existing.state === "scheduled"
      ) {
        // Only a process that crashed leaves a try running: we hold the run now, so it is lost.
        this.save(
          failTry(existing, spec, at, {
            error: `process lost: flow process ${this.run.owner?.pid ?? "?"} ended while the try was running`,
            retryable: true,
            jitterKey: this.jitterKey(spec.id, existing.try_number),
          }),
        );
      }
      const result = this.tasks[spec.id]?.result;
      if (result !== undefined) this.results[spec.id] = result;
    }
    this.run = startRun(this.run, at, { ...owner, heartbeat: at.toISOString() });
    writer.saveRun(this.run);
    writer.flush();
    // Before any listener: nothing may pump (and so finish) until `held` is known.
    await this.readPast();
    if (this.done) return;
    this.stopListening = this.options.slots.onRelease(() => this.pump());
    const { past } = this.options;
    if (past && this.previousRunId)
      this.addStop(past.onRunEnded(this.dag.id, () => this.refreshPast()));
    this.listen(drain, () => this.drain());
    this.listen(signal, () => this.stop({ kind: "interrupted" }));
    this.apply(
      settleRun(this.dag, this.tasks, { now: this.options.clock(), held: this.heldIds() }),
    );
    this.pollPast();
    this.pump();
  }

  // The dependsOnPast tasks that have yet to start a try: the ones the previous run may hold.
  private pastCandidates(): TaskSpec[] {
    return [...this.dag.tasks.values()].filter((spec) => {
      const state = this.tasks[spec.id]?.state;
      return spec.dependsOnPast && (state === "none" || state === "up_for_retry");
    });
  }

  // Reads the previous run (all runs the first time, then that one only) and sets `held`.
  private async readPast(): Promise<void> {
    const { past } = this.options;
    if (!past || this.previousRunId === null || this.pastCandidates().length === 0) {
      this.held.clear();
      return;
    }
    let previous;
    if (this.previousRunId === undefined) {
      previous = findPreviousRun(await past.store.listRuns(this.dag.id), this.run.logical_date);
      this.previousRunId = previous?.run_id ?? null;
    } else {
      previous = await past.store.getRun(this.dag.id, this.previousRunId);
    }
    const decisions = decideDependsOnPast(this.dag, previous);
    this.held.clear();
    for (const spec of this.pastCandidates()) {
      const decision = decisions.get(spec.id);
      if (decision !== undefined && decision.kind !== "met") this.held.set(spec.id, decision);
    }
    this.pastFresh = true;
  }

  // Reads the previous run again (one read at a time) and starts the tasks it no longer holds.
  private refreshPast(): void {
    if (this.done || this.held.size === 0) return;
    if (this.readingPast) {
      this.readPastAgain = true;
      return;
    }
    const before = new Set(this.held.keys());
    this.readingPast = this.readPast()
      .then(() => {
        if (this.done) return;
        const released = [...before].filter((id) => !this.held.has(id));
        if (released.length > 0 && !this.halt) {
          const now = this.options.clock();
          this.apply(
            settleRun(this.dag, this.tasks, { now, only: released, held: this.heldIds() }),
          );
        }
        this.pollPast();
        this.pump();
      })
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.readingPast = undefined;
        if (this.readPastAgain) {
          this.readPastAgain = false;
          this.refreshPast();
        }
      });
  }

  // While a task is held, read the previous run every pollMs: another process may execute it.
  private pollPast(): void {
    const { past } = this.options;
    if (!past || this.held.size === 0 || this.pastTimer !== undefined || this.done) return;
    this.pastTimer = setTimeout(() => {
      this.pastTimer = undefined;
      this.refreshPast();
    }, past.pollMs);
  }

  // What settleRun may not start; the same empty set when nothing is held (every task end asks).
  private heldIds(): ReadonlySet<string> {
    return this.held.size === 0 ? NOTHING_HELD : new Set(this.held.keys());
  }

  /**
   * Nothing runs, is ready or waits for a retry, but dependsOnPast holds a task. A task waiting
   * for an unfinished previous run keeps the run running (Airflow's behaviour). When every held
   * task is blocked (its past failed), the previous run is read once more, then the run gives up
   * on them: they become upstream_failed (so `flow retry` of this run clears them) and the run
   * fails, deadlocked on its past. Returns whether the run must go on.
   */
  private stalledOnPast(): boolean {
    for (const [id, decision] of this.held) {
      const state = this.tasks[id]?.state;
      if (state !== "none" && state !== "up_for_retry") this.held.delete(id);
      else if (decision.kind === "wait") return true;
    }
    if (this.held.size === 0) return false;
    if (!this.pastFresh) {
      this.refreshPast();
      return true;
    }
    const at = this.options.clock();
    const downstream: string[] = [];
    for (const [id, decision] of this.held) {
      const why = describePastBlock(decision);
      this.markAll([markTask(this.tasks[id]!, "upstream_failed", `depends on past: ${why}`)], at);
      this.blockedByPast.push(`task "${id}" depends on past: ${why}`);
      downstream.push(...this.dag.tasks.get(id)!.downstream);
    }
    this.held.clear();
    this.apply(settleRun(this.dag, this.tasks, { now: at, only: downstream }));
    return this.ready.length > 0 || this.retryTimers.size > 0;
  }

  private pump(): void {
    if (this.done) return;
    const { slots } = this.options;
    while (
      !this.halt &&
      this.ready.length > 0 &&
      slots.tryAcquire(this.dag.id, this.dag.maxActiveTasks)
    ) {
      const taskId = this.ready.shift()!;
      this.queued.delete(taskId);
      this.start(taskId);
    }
    if (
      this.running === 0 &&
      (this.halt || (this.ready.length === 0 && this.retryTimers.size === 0))
    ) {
      if (!this.halt && this.held.size > 0 && this.stalledOnPast()) {
        if (this.ready.length > 0) this.pump();
        return;
      }
      void this.finish();
    }
  }

  private start(taskId: string): void {
    const { clock, owner } = this.options;
    const spec = this.dag.tasks.get(taskId)!;
    const at = clock();
    const current = this.tasks[taskId]!;
    this.pastFresh = false;
    const logPath = this.options.logPath(taskId, current.try_number + 1);
    const instance = startTry(current, at, {
      pid: spec.kind === "function" ? owner.pid : null,
      logPath,
    });
    this.save(instance);
    this.running++;
    // The try is recorded as running before it can do anything: kill -9 never loses a try that ran.
    this.afterSaves(() => this.launch(spec, instance, logPath, at));
  }

  private launch(spec: TaskSpec, instance: TaskInstance, logPath: string, at: Date): void {
    const { executors, loaded, observer } = this.options;
    const taskId = spec.id;
    observer?.taskStarted?.(instance, at);
    const execution = {
      ref: { file: loaded.file, dagId: this.dag.id, taskId },
      context: contextForTry(this.contextBase(), taskId, instance.try_number, instance.max_tries),
      results: this.results,
      upstream: spec.upstream,
      logPath,
      timeoutMs: spec.timeoutMs,
      signal: this.abort.signal,
    };
    const onStarted = ({ pid }: { pid: number }): void => {
      const latest = this.tasks[taskId]!;
      if (latest.state === "running" && latest.pid !== pid) this.save({ ...latest, pid });
    };
    // One promise a try: a failure of the executor itself is a failed, retryable try.
    executors[spec.kind].execute(execution, onStarted).then(
      (outcome) => this.endedSafely(spec, outcome),
      (error: unknown) =>
        this.endedSafely(spec, {
          status: "failed",
          error: `flow could not run the task: ${error instanceof Error ? error.message : String(error)}`,
          retryable: true,
        }),
    );
  }

  // ended(), with a bug in it failing the run instead of going unhandled.
  private endedSafely(spec: TaskSpec, outcome: TaskOutcome): void {
    try {
      this.ended(spec, outcome);
    } catch (error) {
      this.fail(error);
    }
  }

  private ended(spec: TaskSpec, outcome: TaskOutcome): void {
    const { clock, observer, slots } = this.options;
    const at = clock();
    const instance = this.record(spec, outcome, at);
    this.save(instance);
    this.running--;
    if (observer?.taskFinished) this.afterSaves(() => observer.taskFinished?.(instance, at));
    if (hasTaskCallbacks(this.options.loaded, spec.id))
      this.afterSaves(() =>
        this.track(runTaskCallback(this.options.loaded, this.view(), instance)),
      );
    if (!this.halt) this.follow(spec, instance, at);
    slots.release(this.dag.id);
    this.pump();
  }

  // The task instance after a try's outcome, given why the run may be stopping.
  private record(spec: TaskSpec, outcome: TaskOutcome, at: Date): TaskInstance {
    const current = this.tasks[spec.id]!;
    const failure = (error: string, retryable: boolean, exitCode?: number): TaskInstance =>
      failTry(current, spec, at, {
        error,
        retryable,
        ...(exitCode !== undefined && { exitCode }),
        jitterKey: this.jitterKey(spec.id, current.try_number),
      });
    if (
      this.halt?.kind === "interrupted" &&
      this.abort.signal.aborted &&
      outcome.status === "failed"
    ) {
      return interruptTry(current, spec, at);
    }
    if (this.halt?.kind === "fail_fast" && outcome.status === "failed") {
      return failure(`stopped: fail_fast after task "${this.halt.failed}" failed`, false);
    }
    if (outcome.status === "skipped") return skipTry(current, at, outcome.reason);
    if (outcome.status === "failed")
      return failure(outcome.error, outcome.retryable, outcome.exitCode);
    if (spec.role === "branch") {
      const choice = readBranchChoice(this.dag, spec.id, outcome.result);
      if ("error" in choice) return failure(choice.error, false);
    }
    if (outcome.result !== undefined) this.results[spec.id] = outcome.result;
    return succeedTry(current, at, {
      ...(outcome.result !== undefined && { result: outcome.result }),
      ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
    });
  }

  // What a finished try sets off: branch and short-circuit skips, failFast, the downstream tasks.
  private follow(spec: TaskSpec, instance: TaskInstance, at: Date): void {
    let only: readonly string[] = instance.state === "up_for_retry" ? [spec.id] : spec.downstream;
    if (instance.state === "success" && spec.role === "branch") {
      const choice = readBranchChoice(this.dag, spec.id, instance.result);
      const skipped = skipUnchosen(
        this.dag,
        this.tasks,
        spec.id,
        "chosen" in choice ? choice.chosen : [],
      );
      this.markAll(skipped, at);
      only = [...only, ...skipped.flatMap((ti) => this.dag.tasks.get(ti.task_id)!.downstream)];
    }
    if (instance.state === "success" && spec.role === "short_circuit" && !instance.result) {
      this.markAll(skipShortCircuited(this.dag, this.tasks, spec.id), at);
      only = [];
    }
    this.apply(settleRun(this.dag, this.tasks, { now: at, only, held: this.heldIds() }));
    if (instance.state === "failed" && this.dag.failFast) {
      this.markAll(skipForFailFast(this.dag, this.tasks, spec.id), at);
      this.stop({ kind: "fail_fast", failed: spec.id });
    }
  }

  private markAll(instances: readonly TaskInstance[], at: Date): void {
    const { observer } = this.options;
    for (const instance of instances) {
      this.save(instance);
      if (observer?.taskFinished) this.afterSaves(() => observer.taskFinished?.(instance, at));
    }
  }

  private apply(settlement: Settlement): void {
    this.markAll(settlement.changed, this.options.clock());
    for (const taskId of settlement.ready) {
      if (this.queued.has(taskId)) continue;
      this.queued.add(taskId);
      this.ready.push(taskId);
    }
    for (const { taskId, at: when } of settlement.waitingForRetry) this.scheduleRetry(taskId, when);
  }

  private scheduleRetry(taskId: string, when: string): void {
    if (this.retryTimers.has(taskId)) return;
    const delay = Math.max(0, Date.parse(when) - this.options.clock().getTime());
    const timer = setTimeout(() => {
      this.retryTimers.delete(taskId);
      if (this.halt) return this.pump();
      const now = this.options.clock();
      this.apply(settleRun(this.dag, this.tasks, { now, only: [taskId], held: this.heldIds() }));
      this.pump();
    }, delay);
    this.retryTimers.set(taskId, timer);
  }

  // One signal may serve many runs (backfill, the scheduler): forget it when this one ends.
  private listen(signal: AbortSignal | undefined, onAbort: () => void): void {
    if (!signal) return;
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.addStop(() => signal.removeEventListener("abort", onAbort));
  }

  // Adds `stop` to what stopListening undoes when the run ends.
  private addStop(stop: () => void): void {
    const previous = this.stopListening;
    this.stopListening = () => {
      previous();
      stop();
    };
  }

  // A graceful stop: start nothing new and let running tries end; the run is then requeued.
  private drain(): void {
    if (this.halt || this.done) return;
    this.halt = { kind: "interrupted" };
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.ready.length = 0;
    this.queued.clear();
    this.pump();
  }

  private stop(halt: Halt): void {
    if (
      this.halt?.kind === "interrupted" &&
      halt.kind === "interrupted" &&
      !this.abort.signal.aborted
    ) {
      // Draining already: now stop the tries still running too.
      this.abort.abort();
      return;
    }
    if (this.halt || this.done) return;
    this.halt = halt;
    this.abort.abort();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.ready.length = 0;
    this.queued.clear();
    this.pump();
  }

  private async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.stopListening();
    clearTimeout(this.pastTimer);
    const at = this.options.clock();
    if (this.halt?.kind === "interrupted") {
      // The run goes back to queued so that running it again resumes it.
      this.run = requeueRun(this.run, "interrupted");
    } else {
      const outcome = decideRunOutcome(this.dag, this.tasks, {
        ready: 0,
        running: 0,
        waitingForRetry: 0,
        blockedByPast: this.blockedByPast,
      });
      const state = outcome.state === "success" ? "success" : "failed";
      this.run = finishRun(this.run, at, state, outcome.state === "failed" ? outcome.reason : null);
    }
    try {
      this.options.writer.saveRun(this.run);
      this.runEffects();
      const run = this.view();
      this.track(runDagCallback(this.options.loaded, run, this.options.runLogPath));
      await Promise.allSettled([...this.callbacks]);
      this.resolve({ ...run, tasks: { ...this.tasks } });
    } catch (error) {
      this.reject(error);
    }
  }

  private fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.effects = [];
    this.stopListening();
    clearTimeout(this.pastTimer);
    this.abort.abort();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.reject(error);
  }

  // Callbacks run beside the run; it resolves only once they are all done.
  private track(callback: Promise<void>): void {
    this.callbacks.add(callback);
    void callback.finally(() => this.callbacks.delete(callback));
  }

  /**
   * Runs `effect` once the saves made so far are durable. Whatever leaves the run (a try
   * starts, the observer prints a change, a callback runs) goes through here, so kill -9 never
   * leaves a try that ran, or a state someone saw, out of the state files; and the saves of one
   * turn (tasks ending and the next ones starting) cost one journal write.
   */
  private afterSaves(effect: () => void): void {
    this.effects.push(effect);
    this.flushSoon();
  }

  // Every save is durable by the end of the turn that made it (its microtasks included).
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // A resolved promise rather than queueMicrotask, which builds an AsyncResource each call.
    void RESOLVED.then(() => {
      this.flushQueued = false;
      try {
        this.runEffects();
      } catch (error) {
        this.fail(error);
      }
    });
  }

  // Flushes the journal, then runs the effects waiting for it, in the order they came.
  private runEffects(): void {
    const effects = this.effects;
    this.effects = [];
    this.options.writer.flush();
    for (const effect of effects) effect();
  }

  // The context fields every try of this run shares, built on the first try.
  private contextBase(): RunContextBase {
    return (this.sharedContext ??= buildRunContextBase(this.view(), this.neighbours));
  }

  private save(instance: TaskInstance): void {
    this.tasks[instance.task_id] = instance;
    this.options.writer.saveTask(instance);
    this.flushSoon();
  }

  // The run as a DagRun (its fields and the live task instances), for contexts and callbacks.
  private view(): DagRun {
    return { ...this.run, tasks: this.tasks };
  }

  private jitterKey(taskId: string, tryNumber: number): string {
    return `${this.dag.id}#${taskId}#${this.run.logical_date}#${tryNumber}`;
  }
}
