/**
 * Task slots shared by every run a process executes: a global parallelism limit and a
 * per-DAG limit (the DAG's maxActiveTasks). A task waiting for its retry delay holds no slot.
 */
export class TaskSlots {
  private used = 0;
  private readonly usedByDag = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(readonly parallelism: number) {}

  /** Takes a slot for a task of `dagId` when one is free under both limits. */
  tryAcquire(dagId: string, maxActiveTasks: number): boolean {
    const dagUsed = this.usedByDag.get(dagId) ?? 0;
    if (this.used >= this.parallelism || dagUsed >= maxActiveTasks) return false;
    this.used++;
    this.usedByDag.set(dagId, dagUsed + 1);
    return true;
  }

  /**
   * Takes a slot whatever the limits: a try the queue still holds when a run resumes (adopted)
   * runs already, so it counts, and what starts next waits for it.
   */
  take(dagId: string): void {
    this.used++;
    this.usedByDag.set(dagId, (this.usedByDag.get(dagId) ?? 0) + 1);
  }

  release(dagId: string): void {
    this.used--;
    this.usedByDag.set(dagId, (this.usedByDag.get(dagId) ?? 1) - 1);
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Calls `listener` whenever a slot is released; returns the function that stops it. */
  onRelease(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }
}
