import type { ChildProcess } from "node:child_process";
import type {
  Executor,
  StartedCallback,
  TaskExecution,
  TaskOutcome,
} from "../executors/executor.js";
import { failed, stoppedBy, timedOut, whyStopped } from "../executors/outcomes.js";
import { readProcess } from "../executors/process-table.js";
import { listDescendants, terminateProcesses } from "../executors/process-tree.js";
import type { FromChild, ToChild } from "./child-messages.js";

/** How long a pool child gets to answer an abort before it is killed with its process tree. */
const ABORT_ANSWER_MS = 2_000;

interface Slot {
  readonly child: ChildProcess;
  /** The try it runs, if any. */
  busy:
    | {
        readonly id: number;
        readonly onMessage: (m: FromChild) => void;
        lost: (why: string) => void;
      }
    | undefined;
  dead: boolean;
}

/**
 * Runs function tasks in a pool of long-lived child processes (`flow worker-child`), one try per
 * child at a time, never on the worker's event loop. A try that is stopped (cancelled, timed
 * out, handed back) gets its abort signal in the child; the child is then killed with its whole
 * process tree and replaced, whether it answered or not: a function that ignored its signal
 * would otherwise go on running beside the child's next task.
 */
export class FunctionPool implements Executor {
  private readonly idle: Slot[] = [];
  private readonly all = new Set<Slot>();
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly spawnChild: () => ChildProcess,
    private readonly killGraceMs: number = 2_000,
  ) {}

  async execute(execution: TaskExecution, onStarted: StartedCallback): Promise<TaskOutcome> {
    if (execution.signal.aborted) return stoppedBy(execution.signal);
    const slot = await this.take();
    const id = this.nextId++;
    const { signal, timeoutMs } = execution;
    return new Promise<TaskOutcome>((settle) => {
      let stopReason: TaskOutcome | undefined;
      let answerTimer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (outcome: TaskOutcome, recycle: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(limit);
        clearTimeout(answerTimer);
        signal.removeEventListener("abort", onAbort);
        slot.busy = undefined;
        if (!recycle && !slot.dead) return settle(this.give(slot, outcome));
        void this.retire(slot).then(() => settle(stopReason ?? outcome));
      };
      const stop = (reason: TaskOutcome): void => {
        if (done || stopReason) return;
        stopReason = reason;
        this.send(slot, { type: "abort", id, why: whyStopped(reason) });
        answerTimer = setTimeout(() => finish(reason, true), ABORT_ANSWER_MS);
      };
      const onAbort = (): void => stop(stoppedBy(signal));
      const limit =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => stop(timedOut(timeoutMs)), timeoutMs);
      signal.addEventListener("abort", onAbort, { once: true });
      slot.busy = {
        id,
        onMessage: (message) => {
          if (message.type === "started") onStarted({ pid: message.pid });
          else finish(stopReason ?? message.outcome, stopReason !== undefined);
        },
        lost: (why) => finish(stopReason ?? failed(why), true),
      };
      const { signal: _signal, runtime: _runtime, ...plain } = execution;
      this.send(slot, { type: "run", id, execution: { ...plain, timeoutMs: undefined } });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((slot) => this.retire(slot)));
  }

  private give(slot: Slot, outcome: TaskOutcome): TaskOutcome {
    const waiter = this.waiting.shift();
    if (waiter) waiter(slot);
    else this.idle.push(slot);
    return outcome;
  }

  private take(): Promise<Slot> {
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    if (this.all.size < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private spawn(): Slot {
    const child = this.spawnChild();
    const slot: Slot = { child, busy: undefined, dead: false };
    this.all.add(slot);
    child.on("message", (message: FromChild) => {
      if (slot.busy?.id === message.id) slot.busy.onMessage(message);
    });
    const died = (how: string): void => {
      if (slot.dead) return;
      slot.dead = true;
      slot.busy?.lost(
        `the function task's process (flow worker-child, pid ${child.pid}) died ${how} during the try`,
      );
      this.forget(slot);
    };
    child.on("exit", (code, signal) => died(signal ? `by ${signal}` : `with exit code ${code}`));
    child.on("error", (error) => died(`(${error.message})`));
    return slot;
  }

  // Kills the child and everything it started, then frees its place in the pool.
  private async retire(slot: Slot): Promise<void> {
    slot.dead = true;
    // An idle child exits when its channel closes; a busy one (it ignores SIGTERM, see
    // function-child.ts) is killed after the grace.
    if (slot.child.connected) slot.child.disconnect();
    const pid = slot.child.pid;
    if (pid !== undefined) {
      const root = readProcess(pid);
      const tree = [...(root ? [root] : []), ...listDescendants(pid)];
      if (tree.length > 0) await terminateProcesses(tree, this.killGraceMs);
    }
    this.forget(slot);
  }

  private forget(slot: Slot): void {
    if (!this.all.delete(slot)) return;
    const at = this.idle.indexOf(slot);
    if (at >= 0) this.idle.splice(at, 1);
    const waiter = this.closed ? undefined : this.waiting.shift();
    if (waiter) waiter(this.spawn());
  }

  private send(slot: Slot, message: ToChild): void {
    if (slot.dead || !slot.child.connected) return;
    slot.child.send(message);
  }
}
