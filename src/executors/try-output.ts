import { StringDecoder } from "node:string_decoder";
import type { TaskLogger } from "../api/context.js";

/** The streams whose writes a try's code makes go to its log. */
export type StreamName = "stdout" | "stderr";

/**
 * The level of each stream's lines in a try's log: Airflow's task runner sends stdout to the
 * task's log at INFO and stderr at WARNING (StreamLogWriter).
 */
const LEVELS = { stdout: "info", stderr: "warn" } as const;

/** A line without its newline is written out anyway once it is this long (a `\r` progress bar). */
const MAX_PARTIAL = 64 * 1024;

interface Pending {
  text: string;
  /** Decodes Buffer and Uint8Array chunks, keeping a UTF-8 character cut between two writes. */
  decoder: StringDecoder | undefined;
}

/**
 * The output of one try's (or callback's) code: its log, and what it wrote to process.stdout or
 * process.stderr without a newline yet. A write goes to the log up to its last newline, as one
 * entry (as console.log of the same text would); the rest waits for the next write, or for the
 * try to end.
 */
export class TryOutput {
  private stdout: Pending | undefined;
  private stderr: Pending | undefined;
  private ended = false;
  /** The promise of the try's code, whose end ends this; watched only once a line waits. */
  private settling: Promise<unknown> | undefined;
  private watching = false;
  /** True while this sends a line to the log: a logger that writes to stdout is not routed again. */
  busy = false;

  constructor(readonly log: TaskLogger) {}

  /** Takes one `write(chunk, encoding)` made on `name`; `encoding` applies to a string chunk. */
  write(name: StreamName, chunk: string | Uint8Array, encoding: BufferEncoding | undefined): void {
    const pending = (this[name] ??= { text: "", decoder: undefined });
    let text: string;
    if (typeof chunk === "string" && pending.decoder === undefined && isUtf8(encoding))
      text = chunk;
    else
      text = (pending.decoder ??= new StringDecoder("utf8")).write(
        typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk,
      );
    // Only the new text is searched: a line written in many small pieces costs no more per piece.
    const end = text.lastIndexOf("\n");
    if (end >= 0) {
      this.emit(name, pending.text + text.slice(0, end));
      pending.text = text.slice(end + 1);
    } else pending.text += text;
    if (pending.text === "") return;
    // After the end nothing more comes to complete a line: each write stands alone.
    if (this.ended || pending.text.length >= MAX_PARTIAL) {
      this.emit(name, pending.text);
      pending.text = "";
    } else this.watchEnd();
  }

  /**
   * Ends this output once `promise` (what the try's code returned) settles. The reaction is added
   * only when a line waits for it: one more promise per try made a run of 1,000 function tasks
   * 4-9% slower.
   */
  endWhenSettled(promise: Promise<unknown>): void {
    this.settling = promise;
    if (this.stdout?.text || this.stderr?.text) this.watchEnd();
  }

  /** The try ended: what waits for a newline goes to the log, and later writes go at once. */
  end(): void {
    this.ended = true;
    for (const name of ["stdout", "stderr"] as const) {
      const pending = this[name];
      if (pending === undefined) continue;
      const text = pending.text + (pending.decoder?.end() ?? "");
      pending.text = "";
      if (text !== "") this.emit(name, text);
    }
  }

  private watchEnd(): void {
    if (this.watching || this.settling === undefined) return;
    this.watching = true;
    const end = (): void => this.end();
    void this.settling.then(end, end);
  }

  private emit(name: StreamName, text: string): void {
    // A line ended by "\r\n" is a line: the log's own newline ends it.
    const line = text.includes("\r") ? text.replace(/\r(?=\n|$)/g, "") : text;
    this.busy = true;
    try {
      this.log[LEVELS[name]](line);
    } finally {
      this.busy = false;
    }
  }
}

function isUtf8(encoding: BufferEncoding | undefined): boolean {
  return encoding === undefined || encoding === "utf8" || encoding === "utf-8";
}
