/** What a run listens to (abort signals, slot releases, other runs' ends), undone together at its end. */
export class Subscriptions {
  private readonly stops: (() => void)[] = [];

  /** Adds `stop` to what stopAll undoes. */
  add(stop: () => void): void {
    this.stops.push(stop);
  }

  // One signal may serve many runs (backfill, the scheduler): forget it when this one ends.
  listen(signal: AbortSignal | undefined, onAbort: () => void): void {
    if (!signal) return;
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.add(() => signal.removeEventListener("abort", onAbort));
  }

  /** Undoes every subscription, in the order they were made; later calls do nothing. */
  stopAll(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
