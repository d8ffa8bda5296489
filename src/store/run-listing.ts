import { readdir } from "node:fs/promises";
import { basename } from "node:path";
import type { DagRun } from "../core/run.js";
import { parseRunRef, sortRunRefs, type RunRef } from "./run-refs.js";
import { readStoredRun } from "./run-file.js";
import { inaccessibleStatePath, isMissing } from "./state-file-errors.js";
import { dagDir, runPaths } from "./state-paths.js";
import { sortRuns } from "./sort-runs.js";

// Runs read between two turns of the event loop while listing.
const READ_BATCH = 64;

/** The file names in a DAG's folder and the run ids they hold (see runIdsIn). */
export interface DagFolder {
  readonly names: ReadonlySet<string>;
  readonly runIds: readonly string[];
}

/** Lists a DAG's folder; empty when the DAG has no runs (or the state dir does not exist). */
export async function readDagFolder(stateDir: string, dagId: string): Promise<DagFolder> {
  const entries = await readDirIfAny(dagDir(stateDir, dagId));
  const names = new Set(entries.filter((entry) => entry.isFile()).map((entry) => entry.name));
  return { names, runIds: runIdsIn(names) };
}

/** Every run of a DAG, read from its files, in listing order. */
export async function listStoredRuns(stateDir: string, dagId: string): Promise<DagRun[]> {
  const folder = await readDagFolder(stateDir, dagId);
  return sortRuns(await readRuns(stateDir, dagId, folder, folder.runIds));
}

/**
 * A DAG's runs as refs, in listing order, from the file names alone; a run whose id does not
 * spell out its logical date is read. A journal without its snapshot is listed like any run,
 * so that reading it reports the broken pair, as listStoredRuns does.
 */
export async function listStoredRunRefs(stateDir: string, dagId: string): Promise<RunRef[]> {
  const folder = await readDagFolder(stateDir, dagId);
  const refs: RunRef[] = [];
  const unnamed: string[] = [];
  for (const runId of folder.runIds) {
    const ref = parseRunRef(runId);
    if (ref === undefined) unnamed.push(runId);
    else refs.push(ref);
  }
  for (const run of await readRuns(stateDir, dagId, folder, unnamed)) {
    refs.push({ run_id: run.run_id, run_type: run.run_type, logical_date: run.logical_date });
  }
  return sortRunRefs(refs);
}

/** The entries of a folder; none when it does not exist yet. */
export async function readDirIfAny(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw inaccessibleStatePath(dir, "list", error);
  }
}

// Reads the given runs of a DAG folder, skipping one that vanished since the listing.
async function readRuns(
  stateDir: string,
  dagId: string,
  folder: DagFolder,
  runIds: readonly string[],
): Promise<DagRun[]> {
  const runs: DagRun[] = [];
  // In batches: the event loop (lock refresh timers) gets a turn between them.
  for (let i = 0; i < runIds.length; i += READ_BATCH) {
    const batch = runIds.slice(i, i + READ_BATCH).map(async (runId) => {
      const paths = runPaths(stateDir, dagId, runId);
      const mayHaveJournal = folder.names.has(basename(paths.journal));
      return (await readStoredRun(paths, dagId, runId, mayHaveJournal))?.run;
    });
    for (const run of await Promise.all(batch)) if (run !== undefined) runs.push(run);
  }
  return runs;
}

// Run ids from the file names of a DAG folder: one per snapshot (`<run_id>.json`), and one per
// journal without a snapshot beside it, so that reading that run reports the broken pair
// (a snapshot exists before its journal is created and is only ever replaced by a rename; a
// listing that raced such a rename finds the snapshot when the run is read).
function runIdsIn(names: Iterable<string>): string[] {
  const ids = new Set<string>();
  for (const name of names) {
    if (name.startsWith(".")) continue;
    if (name.endsWith(".json")) ids.add(name.slice(0, -".json".length));
    else if (name.endsWith(".journal")) ids.add(name.slice(0, -".journal".length));
  }
  return [...ids];
}
