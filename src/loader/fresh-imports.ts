import { statSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import { discoverPipelineFiles } from "./discover.js";
import { registerLoaders } from "./register-loaders.js";

let enabled: string | undefined;

/**
 * Makes every later loadPipelines(dir) import a pipeline file again when it changed since it was
 * last imported (see fresh-import-hooks.ts). For the scheduler, which reloads pipelines without
 * restarting. Once per process, for one folder. Each version of an edited file stays in memory
 * (ES modules cannot be unloaded): a few kilobytes per edit.
 */
export async function enableFreshPipelineImports(dir: string): Promise<void> {
  const absolute = resolve(dir);
  if (enabled !== undefined) {
    if (enabled !== absolute) throw new Error(`fresh imports are enabled for ${enabled} already`);
    return;
  }
  enabled = absolute;
  await registerLoaders();
  register(new URL("./fresh-import-hooks.js", import.meta.url), { data: { dir: absolute } });
}

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
