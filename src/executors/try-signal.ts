/**
 * The abort signal of one try, created only when the task reads it: an AbortController costs
 * more than a whole no-op function task, and most tasks never look at their signal.
 */
export class TrySignal {
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;

  /** The signal handed to the task; already aborted if the try was stopped before it asked. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal now, or as soon as the task asks for it. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
