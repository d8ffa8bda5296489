import { dirname, resolve } from "node:path";
import type { BashSettings, Task } from "../api/definitions.js";
import { contextEnv } from "../core/context.js";
import { whenAborted } from "./bash-abort.js";
import { buildJobScript, buildNativeRecord, type BashJob } from "./bash-job.js";
import {
  findNativeSpawner,
  openSpawner,
  spawnerFromEnv,
  type Spawner,
  type SpawnerChoice,
} from "./bash-spawner.js";
import type {
  Executor,
  StartedCallback,
  TaskExecution,
  TaskOutcome,
  TaskResolver,
  TryFollow,
} from "./executor.js";
import { findBash } from "./find-bash.js";
import { ensureParentDir, noteInLog, openFileLogger } from "./log-file.js";
import {
  describeThrown,
  failed,
  fromExitStatus,
  stoppedBy,
  timedOut,
  whyStopped,
} from "./outcomes.js";
import { resolveTask } from "./resolve-task.js";
import { shJobRecord } from "./shell-helper.js";
import { withTryConsole } from "./try-console.js";
import { stopJob } from "./stop-job.js";
import { buildTaskContext } from "./task-context.js";
import { FailTask } from "../api/signals.js";

/**
 * Every process of a try inherits this variable with a value of its own, so stopping the try
 * also finds children that left its process tree (a double fork reparents them to init).
 */
const TRY_TOKEN = "FLOW_TRY_TOKEN";
let tryCounter = 0;

export interface BashExecutorOptions {
  /** Time between SIGTERM and SIGKILL when a try is stopped. Default 5 s. */
  readonly graceMs?: number;
  /** The POSIX shell that forks tasks. Default /bin/sh (dash on Debian: fast forks). */
  readonly shell?: string;
  /** Working directory of tasks without `cwd`. Default: flow's working directory. */
  readonly cwd?: string;
  /**
   * What starts tasks: the native spawner (posix_spawn, built by `npm run build` when a C
   * compiler is present) or the sh helper. Default `auto`: native when built, unless
   * FLOW_BASH_SPAWNER=sh.
   */
  readonly spawner?: SpawnerChoice;
}

/**
 * Runs bash tasks through one long-lived shell helper (see ShellHelper), many at once. Output
 * goes straight from the task to its log file; flow never holds it in memory.
 */
export class BashExecutor implements Executor {
  private spawner: Spawner | undefined;
  private readonly graceMs: number;
  private canFollow: boolean | undefined;
  /** Each try's spawner job id, once its record is written. */
  private readonly jobIds = new WeakMap<TaskExecution, number>();
  /** The job waiting in the spawner for each job's exit 0, by the id of the job it follows. */
  private readonly waiting = new Map<number, number>();

  constructor(
    private readonly resolver: TaskResolver,
    private readonly options: BashExecutorOptions = {},
  ) {
    this.graceMs = options.graceMs ?? 5000;
  }

  /** Tries can follow others with the native spawner only (the sh helper has no queue). */
  get follows(): boolean {
    return (this.canFollow ??=
      (this.options.spawner ?? spawnerFromEnv(process.env.FLOW_BASH_SPAWNER)) !== "sh" &&
      findNativeSpawner() !== undefined);
  }

  async execute(
    execution: TaskExecution,
    onStarted: StartedCallback,
    follow?: TryFollow,
  ): Promise<TaskOutcome> {
    const { task } = await resolveTask(this.resolver, execution.ref);
    if (execution.signal.aborted)
      return follow ? { status: "not_started" } : stoppedBy(execution.signal);
    let command: string;
    try {
      command = commandOf(task, execution);
    } catch (thrown) {
      return failed(describeThrown(thrown));
    }
    const token = `${process.pid}-${++tryCounter}`;
    const job: BashJob = {
      command,
      cwd: resolve(
        dirname(execution.ref.file),
        task.bash?.cwd ?? this.options.cwd ?? process.cwd(),
      ),
      env: tryEnv(execution, task.bash?.env, token),
      logPath: execution.logPath,
      bash: findBash(),
    };
    const spawner = (this.spawner ??= openSpawner(
      this.options.spawner ?? spawnerFromEnv(process.env.FLOW_BASH_SPAWNER),
      this.options.shell ?? "/bin/sh",
      this.graceMs,
    ));
    let after: number | undefined;
    if (follow) {
      if (!spawner.native) throw new Error("only the native spawner starts a try after another");
      // A runner hands over a follower after its leader's record is written (both wait for the
      // same journal write, the leader first); a leader that failed before it had one, or was
      // still loading its module, has none: this one goes back, and starts its usual way.
      after = this.jobIds.get(follow.after);
      if (after === undefined || execution.signal.aborted || follow.cancel.aborted)
        return { status: "not_started" };
    }
    let record: (id: number) => string;
    if (spawner.native) {
      try {
        record = buildNativeRecord(job, after); // the spawner creates the log's folder
      } catch (thrown) {
        return failed(describeThrown(thrown));
      }
    } else {
      ensureParentDir(execution.logPath);
      record = shJobRecord(buildJobScript(job));
    }
    const run = { record, token, after, cancel: follow?.cancel };
    const outcome = await this.runScript(spawner, run, execution, onStarted);
    return outcome.status === "not_started" ? outcome : applyExitCodeRules(outcome, task.bash);
  }

  close(): Promise<void> {
    return this.spawner?.helper.close() ?? Promise.resolve();
  }

  // Resolves once the wrapper reports the end and, after a timeout or cancellation, once every
  // process of the try is gone: the runner may start a retry right away. A try that follows
  // another is cancelled in the spawner while it waits, and its time limit starts with it.
  private runScript(
    spawner: Spawner,
    run: {
      readonly record: (id: number) => string;
      readonly token: string;
      /** The job it follows, and the signal that cancels it while it waits (TryFollow). */
      readonly after: number | undefined;
      readonly cancel: AbortSignal | undefined;
    },
    execution: TaskExecution,
    onStarted: StartedCallback,
  ): Promise<TaskOutcome> {
    const { timeoutMs, signal } = execution;
    const { token, after } = run;
    const follows = after !== undefined;
    return new Promise((settle) => {
      let jobId = 0;
      let pid: number | undefined;
      let ended = false;
      let stopReason: TaskOutcome | undefined;
      let stopped: Promise<void> | undefined;
      const startStopping = (jobPid: number): void => {
        const marker = { name: TRY_TOKEN, value: token };
        stopped = stopJob(jobPid, () => ended, this.graceMs, marker, spawner.native);
      };
      // A try stopped before it exits 0 must not start the one waiting for that: cancelled
      // first (the spawner reads records before it reaps), then stopped.
      const stop = (reason: TaskOutcome): void => {
        if (ended || stopReason) return;
        stopReason = reason;
        const follower = this.waiting.get(jobId);
        if (follower !== undefined) spawner.helper.cancel(follower);
        if (pid !== undefined) startStopping(pid);
        else if (follows) spawner.helper.cancel(jobId);
      };
      const waited = (): void => {
        if (follows && this.waiting.get(after) === jobId) this.waiting.delete(after);
      };
      const startTimer = (): NodeJS.Timeout | undefined =>
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => stop(timedOut(timeoutMs)), timeoutMs);
      let timer = follows ? undefined : startTimer();
      const close = (): void => {
        ended = true;
        clearTimeout(timer);
        unwatch();
        unwatchCancel();
        waited();
      };
      const finish = (outcome: TaskOutcome): void => {
        close();
        const final = stopReason ?? outcome;
        // The processes' own output does not say why flow stopped them: the log's end does.
        if (stopReason)
          noteInLog(
            execution.logPath,
            `${whyStopped(stopReason)}: flow stopped the task's processes`,
          );
        if (stopped) void stopped.then(() => settle(final));
        else settle(final);
      };
      const unwatch = whenAborted(signal, () => stop(stoppedBy(signal)));
      const unwatchCancel = run.cancel
        ? whenAborted(run.cancel, () => {
            if (pid === undefined && !ended) spawner.helper.cancel(jobId);
          })
        : () => {};
      jobId = spawner.helper.run(
        run.record,
        {
          onStart: (started) => {
            pid = started;
            waited();
            if (follows) timer = startTimer();
            onStarted({ pid: started });
            if (stopReason) startStopping(started);
          },
          onEnd: (status) => finish(fromExitStatus(status)),
          onLost: (reason) => finish(failed(reason)),
          onNotStarted: () => {
            close();
            settle({ status: "not_started" });
          },
        },
        follows,
      );
      if (follows) this.waiting.set(after, jobId);
      this.jobIds.set(execution, jobId);
    });
  }
}

// flow's FLOW_* variables, the task's own on top, and the try's token. The object contextEnv
// returns is new for each try: without a task environment, nothing needs copying. (A spread,
// not Object.assign, takes the task's: a name like `__proto__` stays a variable.)
function tryEnv(
  execution: TaskExecution,
  own: Readonly<Record<string, string>> | undefined,
  token: string,
): Record<string, string> {
  const flow = contextEnv(execution.context);
  const env = own === undefined ? flow : { ...flow, ...own };
  env[TRY_TOKEN] = token;
  return env;
}

// A command given as a function gets the same ctx as a function task; its log lines go first
// in the try's log, before the command's output.
function commandOf(task: Task, execution: TaskExecution): string {
  const { command } = task;
  if (typeof command === "string") return command;
  if (typeof command !== "function") throw new Error(`task "${task.id}" is not a bash task`);
  const log = openFileLogger(execution.logPath);
  try {
    const ctx = buildTaskContext(execution, log, execution.signal, noConnectionsInBash);
    const value: unknown = withTryConsole(log, () => command(ctx));
    if (typeof value !== "string")
      throw new TypeError(`command function returned ${typeof value}, not a string`);
    return value;
  } finally {
    log.close();
  }
}

// A command's output goes straight to its log, where flow cannot mask a password: bash tasks get
// no connections (function, http and email tasks do).
function noConnectionsInBash(): never {
  throw new FailTask(
    "ctx.connection is not available to bash tasks (their output cannot be masked): use fn, http or email",
  );
}

// Airflow's BashOperator skips on exit code 99 (skip_on_exit_code); some codes mean "retrying
// cannot help" (noRetryExitCodes). Timeouts and signals keep their own outcome.
function applyExitCodeRules(outcome: TaskOutcome, settings: BashSettings): TaskOutcome {
  if (outcome.status !== "failed" || outcome.timedOut || outcome.exitCode === undefined)
    return outcome;
  const skipCode = settings.skipExitCode === undefined ? 99 : settings.skipExitCode;
  if (outcome.exitCode === skipCode) {
    return { status: "skipped", reason: `exit code ${skipCode} (skip)`, exitCode: skipCode };
  }
  if (settings.noRetryExitCodes?.includes(outcome.exitCode)) {
    return { ...outcome, error: `${outcome.error} (no retry)`, retryable: false };
  }
  return outcome;
}
