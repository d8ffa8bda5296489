import { readFileSync } from "node:fs";
import type { Adapter } from "lowdb";
import { writeFileDurably } from "./durable-write.js";
import { inaccessibleStatePath, isMissing, parseStateJson } from "./state-file-errors.js";

/**
 * A lowdb adapter for one JSON file that is never seen half-written: writeFileDurably writes a
 * temp file, fsyncs it and renames it over the old one, then fsyncs the folder so the rename
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
      await writeFileDurably(this.path, formatStateJson(data));
    } catch (error) {
      throw inaccessibleStatePath(this.path, "write", error);
    }
  }
}

/** How state files are written: indented JSON and a final newline, for people who read them. */
export function formatStateJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
