import { dirname, join, sep } from "node:path";
import { StateFileError } from "../errors.js";

// The state dir, layout version 1 (STATE_VERSION):
//   flow-state.json                    {"version": 1}: which layout this is
//   runs/<dag>/<run>.json              snapshot {"version": 1, "seq": N, "run": DagRun}
//   runs/<dag>/<run>.journal           JSON lines since the snapshot: {"seq", "task"} | {"seq", "run"}
//   runs/<dag>/<run>.lock/owner        proper-lockfile lock dir while a process owns the run; owner
//                                      {pid, hostname, boot_id, start, pid_ns} (lock-owner.ts)
//   runs/<dag>/.create.lock/           short lock while a run of the DAG is being created
//   logs/<dag>/<run>/<task>.<try>.log  one log per try, every try of a run in its run's folder
// A file per run keeps the cost of recording a run independent of the history's size.

/** Name of the layout marker at the root of the state dir. */
export const LAYOUT_MARKER = "flow-state.json";

/** Where one run's files live: snapshot, journal and the lock dir taken while it is open. */
export interface RunPaths {
  readonly dir: string;
  readonly snapshot: string;
  readonly journal: string;
  readonly lock: string;
}

// Ids become file names as they are: `manual__2026-01-01T00:00:00+00:00` is fine on POSIX.
// What must never pass is a separator or a dot-name, which would escape runs/<dag>/.
const UNSAFE_ID = /[/\\\0]/;

/** Refuses an id that cannot be used as one path segment. */
export function assertSafeId(kind: "dag" | "run" | "task", id: string): void {
  if (id === "" || id === "." || id === ".." || id.startsWith(".") || UNSAFE_ID.test(id)) {
    throw new StateFileError(
      `${kind} id "${id}" cannot be stored: it must not be empty, start with "." or contain "/", "\\" or NUL`,
    );
  }
}

/** The folder holding every run of every DAG. */
export function runsDir(stateDir: string): string {
  return join(stateDir, "runs");
}

/** The folder holding every run of one DAG. */
export function dagDir(stateDir: string, dagId: string): string {
  assertSafeId("dag", dagId);
  return join(runsDir(stateDir), dagId);
}

/** The lock taken (briefly) while creating a run of the DAG; a dot-name so listings skip it. */
export function dagLockPath(stateDir: string, dagId: string): string {
  return join(dagDir(stateDir, dagId), ".create.lock");
}

/** The files of one run. */
export function runPaths(stateDir: string, dagId: string, runId: string): RunPaths {
  assertSafeId("run", runId);
  const dir = dagDir(stateDir, dagId);
  const base = join(dir, runId);
  return { dir, snapshot: `${base}.json`, journal: `${base}.journal`, lock: `${base}.lock` };
}

/** `<state>/logs/<dag>/<run>/run.log`: what happens at the run's level (DAG callbacks). */
export function runLogPath(stateDir: string, dagId: string, runId: string): string {
  return join(runLogDir(stateDir, dagId, runId), "run.log");
}

/**
 * The log file of one try: `<state>/logs/<dag>/<run>/<task>.<try>.log`. One folder per run, not
 * per task: creating a folder per task cost a second inode (a mkdir) for every try.
 */
export function tryLogPath(
  stateDir: string,
  dagId: string,
  runId: string,
  taskId: string,
  tryNumber: number,
): string {
  assertSafeId("task", taskId);
  // A safe id is one plain segment: appending it is what join() would do, minus normalising.
  return `${runLogDir(stateDir, dagId, runId)}${sep}${taskId}.${tryNumber}.log`;
}

/**
 * Where earlier builds of flow wrote the log of the try whose tryLogPath is `tryLog`: the same
 * run folder, `<task>/<try>.log` instead of `<task>.<try>.log`.
 */
export function legacyTryLogPath(tryLog: string, taskId: string, tryNumber: number): string {
  return join(dirname(tryLog), taskId, `${tryNumber}.log`);
}

// The log folder of the run asked for last: every try of a run asks for it.
let lastRunLogDir: { stateDir: string; dagId: string; runId: string; dir: string } | undefined;

function runLogDir(stateDir: string, dagId: string, runId: string): string {
  const last = lastRunLogDir;
  if (last?.stateDir === stateDir && last.dagId === dagId && last.runId === runId) return last.dir;
  assertSafeId("dag", dagId);
  assertSafeId("run", runId);
  const dir = join(stateDir, "logs", dagId, runId);
  lastRunLogDir = { stateDir, dagId, runId, dir };
  return dir;
}
