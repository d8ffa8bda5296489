// Temp projects for the runners: a pipelines/ folder, a Makefile, a build.ninja, and a fresh
// state dir per repetition.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, whose built binary the bench runs. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const FLOW_BIN = join(REPO, "bin", "flow.js");
export const NODE_FLOOR = join(REPO, "bench", "node-floor.mjs");
export const SPAWNER_FLOOR = join(REPO, "bench", "spawner-floor.mjs");
/** The native spawner `npm run build` makes when a C compiler is present (flow's default). */
export const NATIVE_SPAWNER = join(
  REPO,
  "dist",
  "native",
  `flow-spawner-${process.platform}-${process.arch}`,
);

/**
 * Colour off and no inherited pipelines or state dir: flow sees only the temp project, whose
 * compile cache is its own `cache/` (filled by each workload's warm-up run, as a user's is by
 * the first command after an edit).
 */
export const FLOW_ENV: Record<string, string> = {
  FORCE_COLOR: "0",
  NO_COLOR: "1",
  FLOW_PIPELINES: "pipelines",
  FLOW_HOME: "state",
  FLOW_CACHE_DIR: "cache",
};

// Temp projects are removed when the bench process exits, not between runs: removing a run's
// thousands of log files just before the next run made ext4 skip past those freshly freed
// inodes each time the next run created a file (it avoids reusing an inode freed in the last
// minute), measured at +0.3 s of sys time in a W1 run of flow, which make, creating no file,
// never pays. Users' runs do not follow a mass delete; the bench should not either.
const leftovers: string[] = [];
let removeAtExit = false;

function removeLater(dir: string): void {
  leftovers.push(dir);
  if (removeAtExit) return;
  removeAtExit = true;
  process.on("exit", () => {
    for (const left of leftovers) rmSync(left, { recursive: true, force: true });
  });
  // Ctrl-C: exit, so that the handler above removes them too.
  process.once("SIGINT", () => process.exit(130));
}

export interface BenchProject {
  readonly dir: string;
  write(path: string, content: string): void;
  /** A new, empty state dir: one per repetition (all are removed at exit, see removeLater). */
  freshStateDir(): string;
  cleanup(): void;
}

export function makeBenchProject(label: string): BenchProject {
  const dir = mkdtempSync(join(tmpdir(), `flow-bench-${label}-`));
  let counter = 0;
  return {
    dir,
    write(path, content) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    },
    freshStateDir: () => join(dir, `state-${counter++}`),
    cleanup: () => removeLater(dir),
  };
}
