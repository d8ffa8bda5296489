import { contextForTry, type RunContextBase } from "../core/context.js";
import type { TaskSpec } from "../core/dag.js";
import type { Json } from "../core/json.js";
import type { RunFields, TaskInstance } from "../core/run.js";
import { nextTryNumber, queueTry, startTry, workerStartedTry } from "../core/transitions.js";
import type {
  StartedCallback,
  TaskExecution,
  TaskOutcome,
  TryFollow,
} from "../executors/executor.js";
import type { ExecuteRunOptions } from "./execute-run-options.js";
import { runTry, tryExecution } from "./run-try.js";

/**
 * The instance recorded when the next try of `spec` starts at `at`, before the executor is
 * called, and its log path: queued under its job id when the executor hands tries to a queue (a
 * worker starts it later), queued when it is to start after another try (`follows`: see
 * TryFollow), running otherwise, with flow's own pid for a function task (a bash try's pid
 * comes when its process starts).
 */
export function startedInstance(
  options: ExecuteRunOptions,
  spec: TaskSpec,
  current: TaskInstance,
  at: Date,
  run: RunFields,
  follows = false,
): { instance: TaskInstance; logPath: string } {
  const tryNumber = nextTryNumber(current);
  const logPath = options.logPath(spec.id, tryNumber);
  if (follows) return { instance: queueTry(current, at, { logPath }), logPath };
  const { queue } = options.executors[spec.kind];
  if (queue) {
    const jobId = queue.jobIdFor({
      dagId: run.dag_id,
      runId: run.run_id,
      incarnation: run.queued_at,
      taskId: spec.id,
      tryNumber,
    });
    return { instance: queueTry(current, at, { jobId, logPath }), logPath };
  }
  const pid = spec.kind === "function" ? options.owner.pid : null;
  return { instance: startTry(current, at, { pid, logPath }), logPath };
}

/**
 * The instance once the executor says the try has started (`pid`, on `hostname` for a worker),
 * or undefined when that changes nothing: a queued try becomes running, a running one learns
 * its pid.
 */
export function instanceOnStarted(
  latest: TaskInstance,
  info: { readonly pid: number; readonly hostname?: string; readonly at?: Date },
  now: Date,
): TaskInstance | undefined {
  if (latest.state === "queued" && info.hostname !== undefined)
    return workerStartedTry(latest, info.at ?? now, { pid: info.pid, hostname: info.hostname });
  // A try that followed another (TryFollow) has started in the lane that one freed.
  if (latest.state === "queued" && latest.job_id === undefined)
    return workerStartedTry(latest, now, { pid: info.pid });
  if (latest.state !== "running") return undefined;
  // A bash try learns its pid; a try delivered again runs on another worker.
  const hostname = info.hostname ?? latest.hostname;
  if (latest.pid === info.pid && latest.hostname === hostname) return undefined;
  return hostname === undefined
    ? { ...latest, pid: info.pid }
    : { ...latest, pid: info.pid, hostname };
}

/**
 * Runs the recorded try `instance` of `spec` on its kind's executor (after the try `follow`
 * names, when given) and returns what it was given. `hooks.save` records what its start changes
 * (a worker took it, its pid); `hooks.ended` gets its outcome, after which a queue's job goes
 * once that is written (`afterSaves`); a bare pid goes by `hooks.saveLater`.
 */
export function launchTry(
  options: ExecuteRunOptions,
  spec: TaskSpec,
  instance: TaskInstance,
  run: {
    readonly base: RunContextBase;
    readonly results: Readonly<Record<string, Json>>;
    readonly logPath: string;
    readonly signal: AbortSignal;
    /** Given: the try starts after that one (see TryFollow). */
    readonly follow?: TryFollow | undefined;
  },
  hooks: {
    readonly latest: () => TaskInstance;
    readonly save: (instance: TaskInstance) => void;
    /** Records a change nothing waits for (a try's pid) with the next write, soon. */
    readonly saveLater: (instance: TaskInstance) => void;
    readonly ended: (outcome: TaskOutcome) => void;
    readonly afterSaves: (then: () => void) => void;
    /** The try, given `follow`, has started (after the one it followed). */
    readonly followerStarted?: () => void;
  },
): TaskExecution {
  const { follow } = run;
  const { try_number: tryNumber, max_tries: maxTries, job_id: jobId } = instance;
  const execution = tryExecution(options.loaded.file, options.loaded.dag.id, spec, {
    context: contextForTry(run.base, spec.id, tryNumber, maxTries),
    results: run.results,
    logPath: run.logPath,
    signal: run.signal,
    runtime: options.runtime,
    instance,
  });
  const executor = options.executors[spec.kind];
  const onStarted: StartedCallback = (info) => {
    const at = options.clock();
    const latest = hooks.latest();
    const next = instanceOnStarted(latest, info, at);
    if (!next) return;
    // Only a pid learnt: nothing acts on it, so it needs no journal write of its own.
    if (next.state === latest.state && next.hostname === latest.hostname) {
      hooks.saveLater(next);
      return;
    }
    // A follower started in the lane of the try before it, whose end comes with it (in the
    // same line from the spawner, or the next): that end's journal write carries this change.
    if (follow) {
      hooks.saveLater(next);
      hooks.followerStarted?.();
    } else hooks.save(next);
    // A queued try has just started (on a worker, or after the one it followed): news.
    if (latest.state === "queued") options.observer?.taskStarted?.(next, at);
  };
  runTry(
    executor,
    execution,
    onStarted,
    (outcome) => {
      hooks.ended(outcome);
      const { queue } = executor;
      if (queue && jobId !== undefined) hooks.afterSaves(() => queue.recorded(jobId));
    },
    follow,
  );
  return execution;
}
