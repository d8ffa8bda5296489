import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The seed of this run of the fault suite: FAULT_SEED when set, else a fresh one. Every random
 * choice (kill moments, DAG shapes, launch order) comes from it, so a failure names the seed and
 * `FAULT_SEED=<seed> npx vitest run test/fault` replays the same choices (timing still varies:
 * the processes are real).
 */
export const FAULT_SEED: number = (() => {
  const given = process.env.FAULT_SEED;
  if (given !== undefined && given !== "") {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED="${given}" is not an integer`);
    return seed >>> 0;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
})();

/** How many kill -9 injections per run of the suite (FAULT_INJECTIONS, at least the default). */
export function injectionCount(fallback: number): number {
  const given = Number(process.env.FAULT_INJECTIONS);
  return Number.isInteger(given) && given > 0 ? given : fallback;
}

/** What to paste to replay a failure. */
export function replayHint(): string {
  return `FAULT_SEED=${FAULT_SEED} npx vitest run test/fault`;
}

/** A small seeded generator (mulberry32); `stream` separates the test files' sequences. */
export class Random {
  private state: number;
  constructor(seed: number, stream: string) {
    let h = seed >>> 0;
    for (const char of stream) h = Math.imul(h ^ char.charCodeAt(0), 0x9e3779b1) >>> 0;
    this.state = h;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// One definition for both suites (a zombie counts as gone).
export { isAlive } from "../e2e/processes.js";

/** A task instance as the state files store it (the fields the suite looks at). */
export interface RawTask {
  readonly task_id: string;
  readonly state: string;
  readonly try_number: number;
  readonly reason?: string | null;
  /** When the try ended (set once its outcome is recorded). */
  readonly end?: string | null;
  readonly log_path?: string | null;
  /** The queue executor's job of the try (recorded before the job is added). */
  readonly job_id?: string;
}

/** A run as its snapshot plus journal say it is, read without flow. */
export interface RawRun {
  readonly dag_id: string;
  readonly run_id: string;
  readonly run_type: string;
  readonly logical_date: string;
  readonly state: string;
  readonly tasks: Record<string, RawTask>;
}

/** What `readRawState` found: the runs by "<dag>/<run>", and every file that did not parse. */
export interface RawState {
  readonly runs: Map<string, RawRun>;
  readonly problems: string[];
  /** Files that are neither snapshot, journal nor layout marker (e.g. temp files left behind). */
  readonly strays: string[];
}

/**
 * Reads every run under `<state>/runs` the way the README describes the format, independently of
 * flow's code: a snapshot must be whole JSON; a journal's complete lines must each be JSON (only
 * the text after the last newline may be a partial write); journal lines with a seq above the
 * snapshot's are applied in order, the last save of a task winning.
 */
export function readRawState(stateDir: string): RawState {
  const runs = new Map<string, RawRun>();
  const problems: string[] = [];
  const strays: string[] = [];
  const runsDir = join(stateDir, "runs");
  let dags: string[] = [];
  try {
    dags = readdirSync(runsDir);
  } catch {
    return { runs, problems, strays };
  }
  for (const dagId of dags) {
    const dir = join(runsDir, dagId);
    const names = readdirSync(dir);
    for (const name of names) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) continue; // lock dirs
      if (name.endsWith(".journal")) {
        if (!names.includes(`${name.slice(0, -".journal".length)}.json`)) {
          problems.push(`${full}: a journal without its snapshot`);
        }
        continue;
      }
      if (!name.endsWith(".json")) {
        strays.push(full);
        continue;
      }
      const runId = name.slice(0, -".json".length);
      let snapshot: { seq: number; run: RawRun };
      try {
        snapshot = JSON.parse(readFileSync(full, "utf8"));
      } catch (error) {
        problems.push(`${full}: ${(error as Error).message}`);
        continue;
      }
      const tasks: Record<string, RawTask> = { ...snapshot.run.tasks };
      let fields: RawRun = snapshot.run;
      let journal: string | undefined;
      try {
        journal = readFileSync(join(dir, `${runId}.journal`), "utf8");
      } catch {
        journal = undefined;
      }
      if (journal !== undefined) {
        const lines = journal.split("\n");
        lines.pop(); // after the last newline: empty, or a write the kill cut short
        lines.forEach((line, index) => {
          let entry: { seq: number; task?: RawTask; run?: RawRun };
          try {
            entry = JSON.parse(line);
          } catch (error) {
            problems.push(`${full} journal line ${index + 1}: ${(error as Error).message}`);
            return;
          }
          if (entry.seq <= snapshot.seq) return;
          if (entry.task) tasks[entry.task.task_id] = entry.task;
          else if (entry.run) fields = entry.run;
        });
      }
      runs.set(`${dagId}/${runId}`, { ...fields, tasks });
    }
  }
  return { runs, problems, strays };
}

/** One line of a task's executions file: `<run_id> <task_id> <try_number> <pid>`. */
export interface Execution {
  readonly runId: string;
  readonly taskId: string;
  readonly tryNumber: number;
  readonly pid: number;
}

/** The bash snippet that records an execution; tasks run in the project dir. */
export const RECORD_EXECUTION =
  'echo "$FLOW_RUN_ID $FLOW_TASK_ID $FLOW_TRY_NUMBER $$" >> executions.log';

/** Parses the executions file (a missing file is no execution). */
export function readExecutions(path: string): Execution[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const found: Execution[] = [];
  for (const line of text.split("\n")) {
    const match = /^(\S+) (\S+) (\d+) (\d+)$/.exec(line);
    if (match) {
      found.push({
        runId: match[1]!,
        taskId: match[2]!,
        tryNumber: Number(match[3]),
        pid: Number(match[4]),
      });
    }
  }
  return found;
}

/** Every file under `dir` with its bytes, to show that an error changed nothing. */
export function snapshotTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        files.set(`${full.slice(dir.length)}/`, "<dir>");
        walk(full);
      } else files.set(full.slice(dir.length), readFileSync(full).toString("base64"));
    }
  };
  walk(dir);
  return files;
}

/** The lines of stderr that are not hints (`flow: hint: ...` follows some errors). */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "" && !line.startsWith("flow: hint:"));
}
