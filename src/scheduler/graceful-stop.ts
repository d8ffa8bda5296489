/**
 * The scheduler's stop sequence: the first SIGTERM or SIGINT (or `request()`) stops creating and
 * starting runs and gives running tasks `graceMs` to finish; then `signal` aborts, which stops
 * them (the engine leaves them to run again). A second signal aborts at once.
 */
export class GracefulStop {
  private readonly abort = new AbortController();
  private readonly listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private requested = false;
  private readonly onSignal = (name: NodeJS.Signals): void => this.request(name);

  constructor(private readonly graceMs: number) {}

  /** Aborted when the grace period is over: stop the running tasks. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get stopping(): boolean {
    return this.requested;
  }

  /** Listens for SIGTERM and SIGINT until `dispose()`. */
  listen(): this {
    process.on("SIGTERM", this.onSignal);
    process.on("SIGINT", this.onSignal);
    return this;
  }

  /** Called once, when a stop is first requested. */
  onStop(listener: () => void): void {
    this.listeners.push(listener);
  }

  request(_reason?: string): void {
    if (this.requested) {
      this.abort.abort();
      return;
    }
    this.requested = true;
    this.timer = setTimeout(() => this.abort.abort(), this.graceMs);
    for (const listener of this.listeners) listener();
  }

  dispose(): void {
    clearTimeout(this.timer);
    process.off("SIGTERM", this.onSignal);
    process.off("SIGINT", this.onSignal);
  }
}
