/**
 * The tasks of a run that may start, in the order the core gave them, each once, waiting for a
 * slot; and the timers of the up_for_retry tasks waiting for their retry delay.
 */
export class ReadyQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();

  /** Queues each task not queued already. */
  add(taskIds: readonly string[]): void {
    for (const taskId of taskIds) {
      if (this.queued.has(taskId)) continue;
      this.queued.add(taskId);
      this.ready.push(taskId);
    }
  }

  /** The first queued task, taken off the queue. */
  next(): string | undefined {
    const taskId = this.ready.shift();
    if (taskId !== undefined) this.queued.delete(taskId);
    return taskId;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  get retriesWaiting(): number {
    return this.retryTimers.size;
  }

  /** Calls `onDue` once `when` (ISO) has passed by `now`'s clock, unless taskId waits already. */
  retryAt(taskId: string, when: string, now: Date, onDue: () => void): void {
    if (this.retryTimers.has(taskId)) return;
    const delay = Math.max(0, Date.parse(when) - now.getTime());
    const timer = setTimeout(() => {
      this.retryTimers.delete(taskId);
      onDue();
    }, delay);
    this.retryTimers.set(taskId, timer);
  }

  /** Forgets every queued task and every retry waiting (the run halts or failed). */
  clear(): void {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.ready.length = 0;
    this.queued.clear();
  }
}
