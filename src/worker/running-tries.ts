import type { QueueJobData, WorkerEntry } from "../queue/protocol.js";

/** A try this worker runs now. */
export interface RunningTry {
  readonly jobId: string;
  readonly data: QueueJobData;
  readonly since: Date;
  /** Aborted by a cancel message or a stop of the worker: the executors stop the process tree. */
  readonly controller: AbortController;
  /** Set when the worker stops it to hand it back to the queue rather than to end it. */
  handBack: boolean;
}

/** The tries this worker runs, by job id: what cancel messages and the registry look at. */
export class RunningTries {
  private readonly tries = new Map<string, RunningTry>();

  get size(): number {
    return this.tries.size;
  }

  add(jobId: string, data: QueueJobData, since: Date): RunningTry {
    const running: RunningTry = {
      jobId,
      data,
      since,
      controller: new AbortController(),
      handBack: false,
    };
    this.tries.set(jobId, running);
    return running;
  }

  remove(running: RunningTry): void {
    if (this.tries.get(running.jobId) === running) this.tries.delete(running.jobId);
  }

  /** Stops the try of `jobId` if this worker runs it; true when it did. */
  cancel(jobId: string): boolean {
    const running = this.tries.get(jobId);
    if (!running) return false;
    running.controller.abort(new Error("cancelled"));
    return true;
  }

  /** Stops every try to give it back to the queue (the worker is stopping). */
  handBackAll(): void {
    for (const running of this.tries.values()) {
      running.handBack = true;
      running.controller.abort(new Error("worker stopping"));
    }
  }

  /** The tries as the registry lists them. */
  describe(): WorkerEntry["running"] {
    return [...this.tries.values()].map(({ jobId, data, since }) => ({
      jobId,
      dagId: data.dagId,
      taskId: data.taskId,
      runId: data.runId,
      tryNumber: data.tryNumber,
      since: since.toISOString(),
    }));
  }
}
