import type { RunContext, TaskRuntime } from "../api/context.js";
import type { Task } from "../api/definitions.js";
import type { Json } from "../core/json.js";

/**
 * Which task to run, by reference rather than as a closure, so that the same contract serves an
 * in-process executor, a child-process executor and a remote worker: each resolves the reference
 * by loading the pipeline file itself.
 */
export interface TaskReference {
  /** Absolute path of the pipeline module. */
  readonly file: string;
  readonly dagId: string;
  readonly taskId: string;
}

/** Everything one try of one task needs. Plain data except the signal. */
export interface TaskExecution {
  readonly ref: TaskReference;
  readonly context: RunContext;
  /** Results of the tasks of this run that have one (for `ctx.upstream` and `ctx.pull`). */
  readonly results: Readonly<Record<string, Json>>;
  /** Direct upstream task ids. */
  readonly upstream: readonly string[];
  /** Absolute path of this try's log file. Created by the executor, parent folders included. */
  readonly logPath: string;
  /** Per-try time limit; the executor stops the try when it passes. */
  readonly timeoutMs: number | undefined;
  /** Aborted when the run is cancelled: stop the try (process tree included) and return. */
  readonly signal: AbortSignal;
  /**
   * flow's read-only services for function tasks (`ctx.runtime`); without it a task still gets
   * its pipeline's folder, and reading other runs' states throws.
   */
  readonly runtime?: TaskRuntime;
  /** The task's own queue (its `queue` option), for an executor that hands tries to one. */
  readonly queue?: string;
  /** The queue job that holds this try (executors with `queue` only; see QueueHandOff). */
  readonly jobId?: string;
  /** When this try was queued, ISO: its queued timeout counts from then, across restarts. */
  readonly queuedAt?: string;
}

/** How a try ended. Executors return this for every failure of the user's work; they never throw for it. */
export type TaskOutcome =
  | { readonly status: "success"; readonly result?: Json; readonly exitCode?: number }
  /** The try skipped itself (SkipTask, a bash skip exit code); `reason` says why. */
  | { readonly status: "skipped"; readonly reason: string; readonly exitCode?: number }
  | {
      readonly status: "failed";
      /** One line: `exit code 3`, `timed out after 5s`, `Error: no rows for 2026-01-01`. */
      readonly error: string;
      readonly exitCode?: number;
      readonly timedOut?: boolean;
      /** False when the try asked to fail without retry. */
      readonly retryable: boolean;
    }
  /** A reschedule-mode sensor's poke was not done: the core decides when it pokes again. */
  | { readonly status: "reschedule" }
  /** A try given a TryFollow never started (cancelled, or what it followed did not exit 0). */
  | { readonly status: "not_started" };

/**
 * A try to start the moment an earlier try run by the same executor exits 0, in the lane that
 * one frees (a chain's next task; docs/adr/0009-dispatch-ahead.md): for executors with
 * `follows` only. If it ends otherwise, this try does not start.
 */
export interface TryFollow {
  /** The earlier try, as it was given to execute(). */
  readonly after: TaskExecution;
  /** Aborted: not to start any more, if it has not (unlike `signal`, which also stops it). */
  readonly cancel: AbortSignal;
}

/**
 * Called once the try has really started; pid is the process running it, on `hostname` when
 * that is another machine's (a queue worker), since `at` when it started before it was told.
 */
export type StartedCallback = (info: { pid: number; hostname?: string; at?: Date }) => void;

export interface Executor {
  /**
   * Runs one try. With `follow` (only when `follows` is true), the try waits for the one it
   * follows to end, and may end as `not_started`; its time limit counts from its start.
   */
  execute(
    execution: TaskExecution,
    onStarted: StartedCallback,
    follow?: TryFollow,
  ): Promise<TaskOutcome>;
  /** True when execute() takes a TryFollow. */
  readonly follows?: boolean;
  /** Stops helper processes; waits for nothing else. */
  close(): Promise<void>;
  /** Present when tries go to workers through a queue: see QueueHandOff. */
  readonly queue?: QueueHandOff;
}

/**
 * What an executor that hands tries to a queue adds: a try is recorded as queued under its job
 * id before the job exists (so that a restarted driver finds the job: execute() with the same
 * jobId awaits the existing job rather than adding one), and its job goes once its result is
 * recorded.
 */
export interface QueueHandOff {
  jobIdFor(parts: {
    readonly dagId: string;
    readonly runId: string;
    readonly incarnation: string;
    readonly taskId: string;
    readonly tryNumber: number;
  }): string;
  /** The try's result is in the state file: its job (and log stream) can be deleted. */
  recorded(jobId: string): void;
}

/**
 * Turns a task reference into the task as its pipeline module defines it: synchronously when the
 * module is already loaded (the in-process hot path: no extra await per task), or after loading it.
 */
export interface TaskResolver {
  resolve(ref: TaskReference): Task | Promise<Task>;
}
