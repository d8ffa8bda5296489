import { appendFileSync, closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { format } from "node:util";
import type { TaskLogger } from "../api/context.js";

const knownDirs = new Set<string>();

/**
 * Creates the folder of `file` once per process. Each task has a folder of its own, so the
 * common case is one new folder under a known one: a single mkdir, without the stat of every
 * ancestor that a recursive mkdir makes.
 */
export function ensureParentDir(file: string): void {
  const dir = dirname(file);
  if (knownDirs.has(dir)) return;
  if (knownDirs.has(dirname(dir))) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  } else {
    mkdirSync(dir, { recursive: true });
    knownDirs.add(dirname(dir));
  }
  knownDirs.add(dir);
}

/** A task logger plus `close()`, which releases the file once the try is over. */
export interface FileLogger extends TaskLogger {
  close(): void;
}

/**
 * Writes `[ISO time] LEVEL message` lines to `file`, synchronously so that a line is on disk
 * before the task goes on (and before a crash). The file is created on the first line only:
 * a task that logs nothing costs no file operation. After close(), late lines from a task that
 * ignored its abort signal are still appended, by reopening the file each time. `mask` rewrites
 * each message before it is written (the secrets of the connections the try uses become `***`).
 */
export function openFileLogger(file: string, mask?: (text: string) => string): FileLogger {
  let fd: number | undefined;
  let closed = false;
  const write = (level: string, args: unknown[]): void => {
    const text = mask === undefined ? format(...args) : mask(format(...args));
    const line = `[${new Date().toISOString()}] ${level} ${text}\n`;
    if (closed) {
      appendFileSync(file, line);
      return;
    }
    if (fd === undefined) {
      ensureParentDir(file);
      fd = openSync(file, "a");
    }
    writeSync(fd, line);
  };
  return {
    info: (...args) => write("INFO", args),
    warn: (...args) => write("WARN", args),
    error: (...args) => write("ERROR", args),
    close() {
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Appends `flow: <text>` as an ERROR line to a try's log, after its processes are gone: why flow
 * ended the try (a timeout, the run stopping). A log that cannot be written loses only the line.
 */
export function noteInLog(file: string, text: string): void {
  const log = openFileLogger(file);
  try {
    log.error(`flow: ${text}`);
  } catch {
    // The try's outcome still goes to the state file, which says the same.
  } finally {
    log.close();
  }
}
