import { closeSync, fsyncSync, openSync } from "node:fs";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Adapter } from "lowdb";
import writeFileAtomic from "write-file-atomic";
import { inaccessibleStatePath, isMissing, parseStateJson } from "./state-file-errors.js";

/**
 * A lowdb adapter for one JSON file that is never seen half-written: write-file-atomic writes a
 * temp file, fsyncs it and renames it over the old one, then we fsync the folder so the rename
 * itself survives a power loss. `read` returns null for a missing file and throws a
 * StateFileError (naming the file) for one that does not parse or has the wrong shape; it
 * never "repairs" anything.
 */
export class AtomicJsonAdapter<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly check: (value: unknown, path: string) => T,
  ) {}

  // Reads and checks the file; null when it does not exist. The read is sync on purpose: state
  // files are small, and fs/promises readFile (open, fstat, read, close as separate async calls)
  // made listing 10,000 runs about 3x slower.
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if (isMissing(error)) return null;
      throw inaccessibleStatePath(this.path, "read", error);
    }
    return this.check(parseStateJson(this.path, text), this.path);
  }

  // Replaces the file atomically and durably.
  async write(data: T): Promise<void> {
    try {
      await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`, { fsync: true });
      fsyncDir(dirname(this.path));
    } catch (error) {
      throw inaccessibleStatePath(this.path, "write", error);
    }
  }
}

// Makes a rename or unlink in `dir` durable. Some platforms cannot fsync a folder; that only
// weakens power-loss durability, so it is not an error.
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
