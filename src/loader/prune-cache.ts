import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest } from "./cache-manifest.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const MARKER = ".last-prune";

/**
 * Removes what no pipeline can use any more from the compile cache, at most once a day (a
 * marker file's mtime says when it last ran) and only when something was compiled, so a warm
 * start never pays for it: the manifest and bundle of a pipeline file that no longer exists (a
 * deleted pipeline, a CI checkout that is gone), and bundles no manifest names and temp files
 * that are a day old (left by a process killed between writing a bundle and its manifest, or in
 * the middle of a write; a day, so that a file being written right now is never taken). Best effort: another
 * process may prune at the same time, and any failure is ignored.
 */
export function pruneCompileCache(cacheDir: string, now: number): void {
  try {
    const marker = join(cacheDir, MARKER);
    if (existsSync(marker) && now - statSync(marker).mtimeMs < DAY_MS) return;
    writeFileSync(marker, "");
    const names = readdirSync(cacheDir);
    const referenced = new Set<string>();
    for (const name of names.filter((entry) => entry.endsWith(".json"))) {
      const manifest = readManifest(join(cacheDir, name));
      if (manifest && existsSync(manifest.entry)) {
        referenced.add(manifest.output);
        continue;
      }
      rmSync(join(cacheDir, name), { force: true });
      if (manifest) rmSync(join(cacheDir, manifest.output), { force: true });
    }
    for (const name of names.filter((entry) => /\.(mjs|tmp)$/.test(entry))) {
      if (referenced.has(name)) continue;
      const path = join(cacheDir, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (info && now - info.mtimeMs >= DAY_MS) rmSync(path, { force: true });
    }
  } catch {
    // Pruning only saves disk space.
  }
}
