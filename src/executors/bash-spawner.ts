import { accessSync, constants } from "node:fs";
import { fileURLToPath } from "node:url";
import { graceSeconds, shShellHelper, ShellHelper } from "./shell-helper.js";

/** How a bash task's process is started: see BashExecutorOptions.spawner. */
export type SpawnerChoice = "auto" | "native" | "sh";

/** The helper the executor uses, and whether the pid it reports is the task's own process. */
export interface Spawner {
  readonly helper: ShellHelper;
  /**
   * native: the pid is the task's process (posix_spawn, no wrapper), so stopping a try stops it
   * too. sh: the pid is the job's wrapper shell, which stays to report the exit status.
   */
  readonly native: boolean;
}

const BINARY = `flow-spawner-${process.platform}-${process.arch}`;

// dist/bundle/*.js and dist/executors/*.js find it in dist/native/; src/executors/*.ts (tests
// run from the sources) in the built dist/ next to them.
const CANDIDATES = [`../native/${BINARY}`, `../../dist/native/${BINARY}`];

let found: string | null | undefined;

/**
 * The native spawner built by `npm run build` (src/executors/native/build.mjs) when a C
 * compiler was present, or undefined. Looked up once per process, when the first bash task runs.
 */
export function findNativeSpawner(): string | undefined {
  if (found === undefined) {
    found = null;
    for (const candidate of CANDIDATES) {
      const path = fileURLToPath(new URL(candidate, import.meta.url));
      try {
        accessSync(path, constants.X_OK);
        found = path;
        break;
      } catch {
        // Not built here.
      }
    }
  }
  return found ?? undefined;
}

/**
 * The native spawner when it is built (and not turned off with FLOW_BASH_SPAWNER=sh), else the
 * sh helper: nothing beyond a POSIX shell is ever required.
 */
export function openSpawner(
  choice: SpawnerChoice,
  shell: string,
  graceMs: number,
  native: () => string | undefined = findNativeSpawner,
): Spawner {
  const binary = choice === "sh" ? undefined : native();
  if (choice === "native" && !binary)
    throw new Error("the native spawner is not built (npm run build with a C compiler)");
  if (!binary) return { helper: shShellHelper(shell, graceMs), native: false };
  const program = { file: binary, args: [String(graceSeconds(graceMs))] };
  const helper = new ShellHelper({
    program,
    graceMs,
    stopsGroupOnEof: process.platform === "linux",
  });
  return { helper, native: true };
}

/** FLOW_BASH_SPAWNER: `sh` forces the sh helper, `native` requires the native one. */
export function spawnerFromEnv(value: string | undefined): SpawnerChoice {
  return value === "sh" || value === "native" ? value : "auto";
}
