/**
 * Runs tasks one after another per key, inside this process. Used in front of the DAG lock:
 * 25 concurrent createRun calls from one process would otherwise all poll the same lock dir
 * with backoff, and each waits far longer than the few milliseconds the lock is held.
 */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  // Runs `task` after every task queued before it under `key`, whatever their outcome.
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
