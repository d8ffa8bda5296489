import { setMaxListeners } from "node:events";

/** How work is told to stop. */
export interface StopSignals {
  /** First Ctrl-C or SIGTERM (or `request()`): start nothing new, let running tasks end. */
  readonly drain: AbortSignal;
  /** The grace period is over, or a second signal came: stop the running tasks. */
  readonly signal: AbortSignal;
}

/**
 * The one graceful stop of every command that executes runs (run, retry, backfill, scheduler):
 * the first SIGINT or SIGTERM (or `request()`) aborts `drain` and gives running tasks `graceMs`
 * to end, then `signal` aborts; a second request aborts `signal` at once. A grace of 0 or less
 * aborts both at once. Signal handlers exist only between `listen()` and `dispose()`.
 */
export class GracefulStop implements StopSignals {
  private readonly drainer = new AbortController();
  private readonly aborter = new AbortController();
  private readonly listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onSignal = (): void => this.request();

  constructor(readonly graceMs: number) {
    // Every run a command executes listens to both (a scheduler runs up to maxActiveRuns of
    // each DAG at once): more than Node's default 10 is expected, not a leak.
    setMaxListeners(0, this.drainer.signal, this.aborter.signal);
  }

  get drain(): AbortSignal {
    return this.drainer.signal;
  }

  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  /** A stop was requested: nothing new may start. */
  get stopping(): boolean {
    return this.drainer.signal.aborted;
  }

  /** Listens for SIGINT and SIGTERM until `dispose()`. */
  listen(): this {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
    return this;
  }

  /** Called once, at the first request, before the grace period starts (the stop message). */
  onStop(listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  request(): void {
    if (this.stopping) return this.aborter.abort();
    this.drainer.abort();
    for (const listener of this.listeners) listener();
    if (this.graceMs <= 0) return this.aborter.abort();
    this.timer = setTimeout(() => this.aborter.abort(), this.graceMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
  }
}
