import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { listFiles } from "./helpers-files.js";

/** The bundled example pipelines (with lib/ and fixtures/), which tests copy into projects. */
export const REPO_PIPELINES = resolve(dirname(fileURLToPath(import.meta.url)), "../../pipelines");

/** The examples read these settings; empty (unset) so that their bundled offline defaults apply. */
export const EXAMPLE_DEFAULTS = {
  LAUNCH_API_URL: "",
  FLOW_DATA_DIR: "",
  USER_EVENTS_URL: "",
  ROCKET_ALERT_TO: "",
};

/** The built binary: e2e tests run exactly what a user runs. */
export const FLOW_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/flow.js");

export interface FlowResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temp project: a cwd with pipelines/ (from inline sources) and a state dir, removed by `cleanup`. */
export interface Project {
  readonly dir: string;
  readonly stateDir: string;
  /** Runs `flow ...args` in the project, without colour, and never throws on a non-zero exit. */
  flow(
    args: string[],
    options?: { env?: Record<string, string>; input?: string },
  ): Promise<FlowResult>;
  /** Starts `flow ...args` and returns the child process, for signal tests. */
  spawn(args: string[], options?: { env?: Record<string, string> }): ResultPromise;
  write(path: string, content: string): Promise<void>;
  read(path: string): Promise<string>;
  /** Every file under the state dir with its bytes, to check that an error changed nothing. */
  snapshotState(): Promise<Map<string, string>>;
  cleanup(): Promise<void>;
}

/** Creates a project whose files are given inline: `{ "pipelines/etl.ts": "..." }`. */
export async function makeProject(files: Record<string, string> = {}): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), "flow-e2e-"));
  const stateDir = join(dir, "state");
  const write = async (path: string, content: string): Promise<void> => {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  };
  for (const [path, content] of Object.entries(files)) await write(path, content);
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    FORCE_COLOR: "0",
    NO_COLOR: "1",
    FLOW_PIPELINES: "",
    FLOW_HOME: "",
    // The compile cache of this project's pipelines, removed with it.
    FLOW_CACHE_DIR: join(dir, ".flow-cache"),
    ...extra,
  });
  const clean = (value: Record<string, string>): Record<string, string | undefined> =>
    Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === "" ? undefined : v]));
  return {
    dir,
    stateDir,
    async flow(args, options = {}) {
      const result = await execa(process.execPath, [FLOW_BIN, ...args], {
        cwd: dir,
        env: clean(env(options.env)),
        extendEnv: true,
        reject: false,
        ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" }),
      });
      return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    spawn(args, options = {}) {
      return execa(process.execPath, [FLOW_BIN, ...args], {
        cwd: dir,
        env: clean(env(options.env)),
        reject: false,
        stdin: "ignore",
      });
    },
    write,
    read: (path) => readFile(join(dir, path), "utf8"),
    async snapshotState() {
      const files = new Map<string, string>();
      for (const path of await listFiles(stateDir)) {
        files.set(path, await readFile(join(stateDir, path), "utf8"));
      }
      return files;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Replaces what changes between runs (durations, timestamps) so output can be compared exactly. */
export function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, "<time>")
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, "<dur>")
    .replace(/\b\d+m \d+s\b/g, "<dur>");
}

/** Reads the stored run as the `flow status --json` contract shows it. */
export async function statusJson(
  project: Project,
  dagId: string,
): Promise<{
  dag_id: string;
  runs: {
    run_id: string;
    state: string;
    tasks: Record<string, { state: string; try_number: number }>;
  }[];
}> {
  const result = await project.flow(["status", dagId, "--json"]);
  if (result.exitCode !== 0) throw new Error(`flow status failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
