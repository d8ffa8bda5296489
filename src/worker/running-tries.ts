import { TryStopped } from "../executors/outcomes.js";
import type { QueueJobData, WorkerEntry } from "../queue/protocol.js";

/** A try this worker runs now. */
export interface RunningTry {
  readonly jobId: string;
  readonly data: QueueJobData;
  /** Which start of the try this is (QueueJobStarted's `delivery`). */
  readonly delivery: number;
  readonly since: Date;
  /** Aborted by a cancel message or a stop of the worker: the executors stop the process tree. */
  readonly controller: AbortController;
  /** Set when the worker stops it to hand it back to the queue rather than to end it. */
  handBack: boolean;
  /**
   * Why this delivery lost its job (gone from Redis, or its lock taken over), once it has: the
   * worker stops it and reports nothing, since no result of it can be recorded any more.
   */
  lost: string | undefined;
}

/** The tries this worker runs, by job id: what cancel messages and the registry look at. */
export class RunningTries {
  private readonly tries = new Map<string, RunningTry>();

  get size(): number {
    return this.tries.size;
  }

  add(jobId: string, data: QueueJobData, delivery: number, since: Date): RunningTry {
    const running: RunningTry = {
      jobId,
      data,
      delivery,
      since,
      controller: new AbortController(),
      handBack: false,
      lost: undefined,
    };
    this.tries.set(jobId, running);
    return running;
  }

  remove(running: RunningTry): void {
    if (this.tries.get(running.jobId) === running) this.tries.delete(running.jobId);
  }

  has(jobId: string): boolean {
    return this.tries.has(jobId);
  }

  /** Stops the try of `jobId` if this worker runs it; true when it did. */
  cancel(jobId: string): boolean {
    const running = this.tries.get(jobId);
    if (!running) return false;
    running.controller.abort(new Error("cancelled"));
    return true;
  }

  /**
   * Stops the try of `jobId`, whose job this delivery no longer holds (`why`); true when this
   * worker runs it and was not already handing it back or stopping it for that.
   */
  lose(jobId: string, why: string): boolean {
    const running = this.tries.get(jobId);
    if (!running || running.handBack || running.lost !== undefined) return false;
    running.lost = why;
    running.controller.abort(new TryStopped(`job lost: ${why}`));
    return true;
  }

  /** Stops every try to give it back to the queue (the worker is stopping). */
  handBackAll(): void {
    for (const running of this.tries.values()) {
      if (running.lost !== undefined) continue; // its job is not this worker's to hand back
      running.handBack = true;
      running.controller.abort(new TryStopped("handed back to the queue: the worker is stopping"));
    }
  }

  /** The tries as the registry lists them. */
  describe(): WorkerEntry["running"] {
    return [...this.tries.values()].map(({ jobId, data, delivery, since }) => ({
      jobId,
      dagId: data.dagId,
      taskId: data.taskId,
      runId: data.runId,
      tryNumber: data.tryNumber,
      delivery,
      since: since.toISOString(),
    }));
  }
}
