import { setMaxListeners } from "node:events";
import { beginRun } from "../core/begin-run.js";
import type { TaskSpec } from "../core/dag.js";
import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import { endRun } from "../core/run-end.js";
import type { RunEvent } from "../core/run-event.js";
import type { RunHalt } from "../core/run-halt.js";
import { settleRunEvent } from "../core/settle.js";
import { RunTable } from "../core/run-table.js";
import { queueHeldTries } from "../core/lost-tries.js";
import { endTry } from "../core/try-ended.js";
import { takeBackTry } from "../core/take-back.js";
import type { TaskOutcome } from "../executors/executor.js";
import { TryStopped } from "../executors/outcomes.js";
import { CallbackTracker, hasTaskCallbacks, runDagCallback, runTaskCallback } from "./callbacks.js";
import { PastWatch } from "./past-watch.js";
import { SaveQueue } from "./save-queue.js";
import { ReadyQueue } from "./ready-queue.js";
import { Subscriptions } from "./subscriptions.js";
import { RunTries } from "./run-tries.js";
import type { ExecuteRunOptions } from "./execute-run-options.js";

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
  private readonly table: RunTable;
  private run: RunFields;
  private readonly queue = new ReadyQueue();
  private readonly abort = new AbortController();
  private readonly callbacks = new CallbackTracker();
  private readonly subscriptions = new Subscriptions();
  private readonly saves: SaveQueue;
  private readonly tries: RunTries;
  private readonly past: PastWatch;
  private halt: RunHalt | undefined;
  private done = false;
  private resolve!: (run: DagRun) => void;
  private reject!: (error: unknown) => void;
  private readonly blockedByPast: string[] = [];

  constructor(private readonly options: ExecuteRunOptions) {
    this.dag = options.loaded.dag;
    const { tasks, ...run } = options.writer.run;
    this.run = run;
    this.saves = new SaveQueue(options.writer, (error) => this.fail(error));
    // Every running try listens to it (function tasks do): more than Node's 10 is expected.
    setMaxListeners(0, this.abort.signal);
    this.table = new RunTable(this.dag, tasks);
    this.tries = new RunTries({
      options,
      table: this.table,
      saves: this.saves,
      signal: this.abort.signal,
      fields: () => this.run,
      view: () => this.view(),
      save: (instance, later) => this.save(instance, later),
      ended: (spec, outcome) => this.endedSafely(spec, outcome),
      open: () => !this.halt && !this.done,
      held: () => this.past.heldIds(),
      started: () => (this.past.fresh = false),
    });
    this.past = new PastWatch(
      this.dag,
      run.logical_date,
      this.table.tasks,
      options.past,
      (released) => this.released(released),
      (error) => this.fail(error),
    );
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
    // New instances and lost tries are not news to an observer: nothing ran in this process.
    this.apply(beginRun(this.dag, writer.run, at, owner, writer.previousOwner), at, false);
    this.tries.inputs.collect(this.dag, this.table.tasks);
    this.saves.flushNow();
    // Before any listener: nothing may pump (and so finish) until `held` is known.
    await this.past.read();
    if (this.done) return;
    this.subscriptions.add(this.options.slots.onRelease(() => this.pump()));
    this.subscriptions.add(this.past.watchRunEnds());
    this.subscriptions.listen(drain, () => this.stop({ kind: "draining" }));
    this.subscriptions.listen(signal, () => this.stop({ kind: "interrupted" }));
    this.settle(undefined);
    // Tries the queue still holds from before (the driver was restarted): await their jobs.
    for (const instance of queueHeldTries(this.dag, this.view())) {
      this.options.slots.take(this.dag.id);
      this.tries.running++;
      this.tries.launch(
        this.dag.tasks.get(instance.task_id)!,
        instance,
        instance.log_path ?? "",
        at,
      );
    }
    this.past.poll();
    this.pump();
  }

  // The trigger rules, on every task or `only` those, now: what they skip, start or retry.
  private settle(only: readonly string[] | undefined): void {
    const now = this.options.clock();
    const held = this.past.heldIds();
    const { tasks, tally } = this.table;
    this.apply(settleRunEvent(this.dag, tasks, { now, only, held, tally }), now);
  }

  // The previous run was read again: start the tasks it no longer holds.
  private released(released: readonly string[]): void {
    if (released.length > 0 && !this.halt) this.settle(released);
    this.past.poll();
    this.pump();
  }

  // Nothing is active but dependsOnPast holds tasks: returns whether the run must go on.
  private stalledOnPast(): boolean {
    const at = this.options.clock();
    const stall = this.past.stall(at);
    if (stall.kind !== "blocked") return stall.kind === "waiting";
    this.apply(stall.event, at);
    this.blockedByPast.push(...stall.blockedByPast);
    return this.queue.readyCount > 0 || this.queue.retriesWaiting > 0;
  }

  private pump(): void {
    if (this.done) return;
    const { slots } = this.options;
    const { queue } = this;
    while (
      !this.halt &&
      queue.readyCount > 0 &&
      slots.tryAcquire(this.dag.id, this.dag.maxActiveTasks)
    )
      this.tries.start(queue.next()!);
    if (
      this.tries.running === 0 &&
      (this.halt || (queue.readyCount === 0 && queue.retriesWaiting === 0))
    ) {
      if (!this.halt && this.past.held.size > 0 && this.stalledOnPast()) {
        if (queue.readyCount > 0) this.pump();
        return;
      }
      void this.finish();
    }
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
    const { clock, loaded, slots } = this.options;
    if (outcome.status === "not_started") return this.takeBack(spec);
    const at = clock();
    const { halt, run } = this;
    const held = halt ? undefined : this.past.heldIds();
    const ended = { taskId: spec.id, outcome, at, logicalDate: run.logical_date, halt, held };
    const event = endTry(this.dag, this.table.tasks, { ...ended, tally: this.table.tally });
    const { instance } = event;
    this.tries.inputs.keep(instance);
    this.tries.running--;
    this.apply(event, at, true, hasTaskCallbacks(loaded, spec.id) ? instance : undefined);
    if (event.failFast) this.stop({ kind: "fail_fast", failed: spec.id });
    if (this.tries.lanes.ended(spec.id, instance.state === "success")) slots.release(this.dag.id);
    this.pump();
    // Only an end can give a running try a chain successor (a task it alone now holds back).
    this.tries.dispatchAhead();
  }

  // A follower never started: back to its instance before, and decided again (takeBackTry).
  private takeBack(spec: TaskSpec): void {
    const { dag, table, halt } = this;
    const { lanes } = this.tries;
    const now = this.options.clock();
    const held = halt ? undefined : this.past.heldIds();
    const options = { now, halt, held, tally: table.tally };
    const event = takeBackTry(dag, table.tasks, lanes.before(spec.id)!, options);
    this.tries.running--;
    const [before, ...decided] = event.tasks;
    this.save(before!); // no news: it never started
    this.apply({ ...event, tasks: decided }, now);
    // Last: a release pumps every run waiting for a slot, this one included.
    if (lanes.ended(spec.id, false)) this.options.slots.release(dag.id);
    this.pump();
  }

  // Applies the core's decision: saves each change, tells the observer once written (unless not
  // `tell`), then starts `callbackFor`'s callback; saves the run; queues the ready tasks, retries.
  private apply(event: RunEvent, at: Date, tell = true, callbackFor?: TaskInstance): void {
    const { observer } = this.options;
    for (const instance of event.tasks) {
      this.save(instance);
      if (tell && observer?.taskFinished)
        this.saves.afterSaves(() => observer.taskFinished?.(instance, at));
      if (instance === callbackFor)
        this.saves.afterSaves(() =>
          this.callbacks.track(runTaskCallback(this.options, this.view(), instance)),
        );
    }
    if (event.run !== null) {
      this.run = event.run;
      this.saves.saveRun(event.run);
    }
    this.queue.add(event.ready);
    for (const { taskId, at: when } of event.retries)
      this.queue.retryAt(taskId, when, this.options.clock(), () => {
        if (!this.halt) this.settle([taskId]);
        this.pump();
      });
  }

  // The run halts: nothing new starts; running tries are stopped, unless it drains (a graceful stop).
  private stop(halt: RunHalt): void {
    if (this.halt?.kind === "draining" && halt.kind === "interrupted") {
      this.halt = halt; // draining already: now stop the tries still running too
      this.abort.abort();
      return;
    }
    if (this.halt || this.done) return;
    this.halt = halt;
    // Followers are cancelled before their leaders are stopped, so that none starts meanwhile.
    this.tries.lanes.cancelWaiting();
    // A try stopped by fail_fast says so in its log's last line; an interrupted one, "cancelled".
    if (halt.kind === "fail_fast")
      this.abort.abort(new TryStopped(`fail_fast: task "${halt.failed}" failed`));
    else if (halt.kind !== "draining") this.abort.abort();
    this.queue.clear();
    this.pump();
  }

  private async finish(): Promise<void> {
    if (!this.shutDown()) return;
    const at = this.options.clock();
    const { halt, blockedByPast } = this;
    try {
      this.apply(endRun(this.dag, this.run, this.table.tasks, { at, halt, blockedByPast }), at);
      this.saves.flushNow();
      const run = this.view();
      this.callbacks.track(runDagCallback(this.options, run));
      await this.callbacks.settled();
      this.resolve({ ...run, tasks: { ...this.table.tasks } });
    } catch (error) {
      this.reject(error);
    }
  }

  private fail(error: unknown): void {
    if (!this.shutDown()) return;
    this.saves.discard();
    this.abort.abort();
    this.queue.clear();
    this.reject(error);
  }

  // The run is done: stop listening and reading its past. False when it was done already.
  private shutDown(): boolean {
    if (this.done) return false;
    this.done = true;
    this.subscriptions.stopAll();
    this.past.stop();
    return true;
  }

  // `later`: nothing acts on the change, so it goes with the next journal write (saveTaskLater).
  private save(instance: TaskInstance, later = false): void {
    this.table.set(instance);
    if (later) this.saves.saveTaskLater(instance);
    else this.saves.saveTask(instance);
  }

  // The run as a DagRun (its fields and the live task instances), for contexts and callbacks.
  private view(): DagRun {
    return { ...this.run, tasks: this.table.tasks };
  }
}
