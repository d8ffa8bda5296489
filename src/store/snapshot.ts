import { Low } from "lowdb";
import type { DagRun } from "../core/run.js";
import { AtomicJsonAdapter, formatStateJson } from "./atomic-json-adapter.js";
import { prepareFile, type PreparedFile } from "./durable-write.js";
import { findDagRunProblem } from "./run-shape.js";
import { STATE_VERSION } from "./state-store.js";
import { unreadableStateFile } from "./state-file-errors.js";

/**
 * `runs/<dag>/<run>.json`: the run as of journal line `seq`. Journal lines with a seq at or
 * below it are already folded in, which makes "snapshot written, journal not yet removed" (a
 * crash inside close()) harmless.
 */
export interface Snapshot {
  readonly version: number;
  readonly seq: number;
  readonly run: DagRun;
}

// Accepts a parsed snapshot file, or says (naming the file) why not.
function checkSnapshot(value: unknown, path: string): Snapshot {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw unreadableStateFile(path, "not a run snapshot (expected an object)");
  }
  const { version, seq, run } = value as Record<string, unknown>;
  if (version !== STATE_VERSION) {
    throw unreadableStateFile(
      path,
      `state version ${JSON.stringify(version)}, this flow reads version ${STATE_VERSION}`,
    );
  }
  if (!Number.isInteger(seq) || (seq as number) < 0) {
    throw unreadableStateFile(path, "seq is not a non-negative integer");
  }
  const problem = findDagRunProblem(run, "run");
  if (problem !== undefined) throw unreadableStateFile(path, problem);
  return value as Snapshot;
}

/** Reads a run snapshot; undefined when the file does not exist. */
export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  const db = new Low<Snapshot | null>(
    new AtomicJsonAdapter<Snapshot | null>(path, checkSnapshot),
    null,
  );
  await db.read();
  return db.data ?? undefined;
}

/** Writes a run snapshot atomically (temp file, fsync, rename). */
export async function writeSnapshot(path: string, run: DagRun, seq: number): Promise<void> {
  const snapshot: Snapshot = { version: STATE_VERSION, seq, run };
  const db = new Low<Snapshot>(new AtomicJsonAdapter<Snapshot>(path, checkSnapshot), snapshot);
  await db.write();
}

/**
 * A new run's first snapshot, written and fsynced under a temp name: createRun renames it into
 * place while it holds the DAG lock, so the lock is not held during the fsync.
 */
export function prepareSnapshot(path: string, run: DagRun): Promise<PreparedFile> {
  const snapshot: Snapshot = { version: STATE_VERSION, seq: 0, run };
  return prepareFile(path, formatStateJson(snapshot));
}
