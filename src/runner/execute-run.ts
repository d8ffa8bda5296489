import type { TaskKind } from "../core/dag.js";
import type { Json } from "../core/json.js";
import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import { buildRunContext } from "../core/context.js";
import { decideRunOutcome } from "../core/run-outcome.js";
import { settleRun, type Settlement } from "../core/settle.js";
import {
  failTry,
  finishRun,
  interruptTry,
  newTaskInstance,
  requeueRun,
  startRun,
  startTry,
  succeedTry,
} from "../core/transitions.js";
import type { Executor, TaskOutcome } from "../executors/executor.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter } from "../store/state-store.js";
import type { RunObserver } from "./observer.js";
import type { TaskSlots } from "./slots.js";

export interface ExecuteRunOptions {
  readonly loaded: LoadedDag;
  /** The run, opened (owned) by this process. executeRun saves to it but does not close it. */
  readonly writer: RunWriter;
  readonly executors: Readonly<Record<TaskKind, Executor>>;
  readonly slots: TaskSlots;
  readonly logPath: (taskId: string, tryNumber: number) => string;
  /** The wall clock: task start and end times, retry delays. */
  readonly clock: () => Date;
  readonly owner: { readonly pid: number; readonly hostname: string };
  readonly observer?: RunObserver;
  /** Aborting it stops the run: nothing new starts, running tries are stopped and left to run again. */
  readonly signal?: AbortSignal;
}

/**
 * Executes one DAG run to its end: asks the core what is ready, starts it under the slot
 * limits the moment its upstream tasks are done (no polling), records every change, and
 * decides the run's state by Airflow's leaf rule. Resolves with the run as stored.
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
  private running = 0;
  private stopping = false;
  private done = false;
  private resolve!: (run: DagRun) => void;
  private reject!: (error: unknown) => void;
  private stopListening: () => void = () => undefined;

  constructor(private readonly options: ExecuteRunOptions) {
    this.dag = options.loaded.dag;
    const { tasks, ...run } = options.writer.run;
    this.run = run;
    this.tasks = { ...tasks };
  }

  execute(): Promise<DagRun> {
    return new Promise<DagRun>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      try {
        this.begin();
      } catch (error) {
        this.fail(error);
      }
    });
  }

  private begin(): void {
    const { writer, clock, owner, signal } = this.options;
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
    this.stopListening = this.options.slots.onRelease(() => this.pump());
    if (signal?.aborted) this.stop();
    else signal?.addEventListener("abort", () => this.stop(), { once: true });
    this.apply(settleRun(this.dag, this.tasks, { now: at }));
    this.pump();
  }

  private pump(): void {
    if (this.done) return;
    const { slots } = this.options;
    while (
      !this.stopping &&
      this.ready.length > 0 &&
      slots.tryAcquire(this.dag.id, this.dag.maxActiveTasks)
    ) {
      const taskId = this.ready.shift()!;
      this.queued.delete(taskId);
      this.start(taskId);
    }
    if (
      this.running === 0 &&
      (this.stopping || (this.ready.length === 0 && this.retryTimers.size === 0))
    ) {
      this.finish();
    }
  }

  private start(taskId: string): void {
    const { clock, executors, loaded, observer, owner } = this.options;
    const spec = this.dag.tasks.get(taskId)!;
    const at = clock();
    const current = this.tasks[taskId]!;
    const logPath = this.options.logPath(taskId, current.try_number + 1);
    const instance = startTry(current, at, {
      pid: spec.kind === "function" ? owner.pid : null,
      logPath,
    });
    this.save(instance);
    this.running++;
    observer?.taskStarted?.(instance, at);
    const execution = {
      ref: { file: loaded.file, dagId: this.dag.id, taskId },
      context: buildRunContext(
        { ...this.run, tasks: this.tasks },
        taskId,
        instance.try_number,
        instance.max_tries,
      ),
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
    executors[spec.kind]
      .execute(execution, onStarted)
      .catch((error: unknown): TaskOutcome => ({
        status: "failed",
        error: `flow could not run the task: ${error instanceof Error ? error.message : String(error)}`,
        retryable: true,
      }))
      .then((outcome) => this.ended(taskId, outcome))
      .catch((error: unknown) => this.fail(error));
  }

  private ended(taskId: string, outcome: TaskOutcome): void {
    const { clock, observer, slots } = this.options;
    const spec = this.dag.tasks.get(taskId)!;
    const at = clock();
    const current = this.tasks[taskId]!;
    let instance: TaskInstance;
    if (this.stopping && outcome.status === "failed") {
      instance = interruptTry(current, spec, at);
    } else if (outcome.status === "success") {
      instance = succeedTry(current, at, {
        ...(outcome.result !== undefined && { result: outcome.result }),
        ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
      });
      if (outcome.result !== undefined) this.results[taskId] = outcome.result;
    } else {
      instance = failTry(current, spec, at, {
        error: outcome.error,
        ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
        retryable: outcome.retryable,
        jitterKey: this.jitterKey(taskId, current.try_number),
      });
    }
    this.save(instance);
    this.running--;
    observer?.taskFinished?.(instance, at);
    if (!this.stopping) {
      const only = instance.state === "up_for_retry" ? [taskId] : spec.downstream;
      this.apply(settleRun(this.dag, this.tasks, { now: at, only }));
    }
    slots.release(this.dag.id);
    this.pump();
  }

  private apply(settlement: Settlement): void {
    const at = this.options.clock();
    for (const instance of settlement.changed) {
      this.save(instance);
      this.options.observer?.taskFinished?.(instance, at);
    }
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
      if (this.stopping) return this.pump();
      this.apply(settleRun(this.dag, this.tasks, { now: this.options.clock(), only: [taskId] }));
      this.pump();
    }, delay);
    this.retryTimers.set(taskId, timer);
  }

  private stop(): void {
    if (this.stopping || this.done) return;
    this.stopping = true;
    this.abort.abort();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.pump();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.stopListening();
    const at = this.options.clock();
    if (this.stopping) {
      // Interrupted: the run goes back to queued so that running it again resumes it.
      this.run = requeueRun(this.run, "interrupted");
    } else {
      const outcome = decideRunOutcome(this.dag, this.tasks, {
        ready: 0,
        running: 0,
        waitingForRetry: 0,
      });
      const state = outcome.state === "success" ? "success" : "failed";
      this.run = finishRun(this.run, at, state, outcome.state === "failed" ? outcome.reason : null);
    }
    this.options.writer.saveRun(this.run);
    this.resolve({ ...this.run, tasks: { ...this.tasks } });
  }

  private fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.stopListening();
    this.abort.abort();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.reject(error);
  }

  private save(instance: TaskInstance): void {
    this.tasks[instance.task_id] = instance;
    this.options.writer.saveTask(instance);
  }

  private jitterKey(taskId: string, tryNumber: number): string {
    return `${this.dag.id}#${taskId}#${this.run.logical_date}#${tryNumber}`;
  }
}
