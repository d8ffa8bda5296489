/** Where progress goes: `process.stdout` fits, and so does an array-backed fake in tests. */
export interface TextSink {
  write(text: string): unknown;
  /** Terminal size, when the sink is one; log-update wraps and trims to it. */
  readonly columns?: number;
  readonly rows?: number;
}
