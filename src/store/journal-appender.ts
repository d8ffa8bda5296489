import { closeSync, constants, openSync, writeSync } from "node:fs";
import { inaccessibleStatePath } from "./state-file-errors.js";

/**
 * Appends lines to a journal through one fd opened with O_APPEND for the writer's life.
 * Each append is a synchronous write(2): once it returns the line is in the kernel, so it
 * survives a crash (even kill -9) of this process, and it costs the same however large the
 * run or the history is. There is deliberately no fsync per line: a power loss may drop the
 * last lines, and at worst leaves a partial last line, which readers ignore; it never leaves a
 * corrupt line before a good one.
 */
export class JournalAppender {
  private fd: number | undefined;
  // Set after a failed write: the file may end in a partial line, and appending after it
  // would bury that line in the middle, where readers treat it as corruption.
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  // Opens (creating if needed) the journal for appending.
  static open(path: string): JournalAppender {
    try {
      const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
      return new JournalAppender(path, openSync(path, flags, 0o644));
    } catch (error) {
      throw inaccessibleStatePath(path, "open the journal", error);
    }
  }

  // Writes one whole line; loops because write(2) may write fewer bytes than asked.
  append(line: string): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.fd === undefined) throw new Error(`bug: append to closed journal ${this.path}`);
    const bytes = Buffer.from(line, "utf8");
    try {
      let written = 0;
      while (written < bytes.length) {
        written += writeSync(this.fd, bytes, written, bytes.length - written);
      }
    } catch (error) {
      this.failure = inaccessibleStatePath(this.path, "append to the journal", error);
      throw this.failure;
    }
  }

  // Releases the fd; safe to call twice.
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
