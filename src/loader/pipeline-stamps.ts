import { statSync } from "node:fs";
import { discoverPipelineFiles } from "./discover.js";

/**
 * A fingerprint per pipeline file (mtime and size), by absolute path: compare two to see which
 * files were added, changed or removed. Throws UsageError when the folder is gone.
 */
export function pipelineFileStamps(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const file of discoverPipelineFiles(dir)) {
    try {
      const info = statSync(file);
      stamps.set(file, `${info.mtimeMs}-${info.size}`);
    } catch {
      // removed between listing and stat: absent
    }
  }
  return stamps;
}

/** Files whose stamp differs between `before` and `after` (added, changed or removed), sorted. */
export function changedFiles(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const files = new Set([...before.keys(), ...after.keys()]);
  return [...files].filter((file) => before.get(file) !== after.get(file)).sort();
}
