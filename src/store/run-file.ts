import { readFileSync } from "node:fs";
import type { DagRun } from "../core/run.js";
import { copyTaskTable } from "../core/task-table.js";
import { parseJournal } from "./journal.js";
import { readSnapshot } from "./snapshot.js";
import { inaccessibleStatePath, isMissing, unreadableStateFile } from "./state-file-errors.js";
import type { RunPaths } from "./state-paths.js";

/** A run as read from its files, with what a writer needs to carry on from there. */
export interface StoredRun {
  readonly run: DagRun;
  /** The highest seq applied: the next journal line gets seq + 1. */
  readonly seq: number;
  /** True when a non-empty journal exists (left by a writer that did not close). */
  readonly hasJournal: boolean;
}

// The journal's text, or undefined when there is none (the run is compact). Sync on purpose, as
// in AtomicJsonAdapter.read: state files are small and fs/promises costs ~3x more per file.
function readJournalText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw inaccessibleStatePath(path, "read", error);
  }
}

/**
 * Reads one run: the snapshot, then the journal lines written after it, in order (the last
 * save of a task wins). Undefined when the run does not exist. The snapshot is read first: a
 * writer compacting meanwhile only makes the result older, never inconsistent. A listing that
 * saw no journal in the folder passes `mayHaveJournal: false` to skip one failing open per run.
 */
export async function readStoredRun(
  paths: RunPaths,
  dagId: string,
  runId: string,
  mayHaveJournal = true,
): Promise<StoredRun | undefined> {
  const snapshot = await readSnapshot(paths.snapshot);
  const journalText = mayHaveJournal ? readJournalText(paths.journal) : undefined;
  if (snapshot === undefined) {
    if (journalText === undefined) return undefined;
    throw unreadableStateFile(paths.journal, `a journal without its snapshot ${paths.snapshot}`);
  }
  if (snapshot.run.dag_id !== dagId || snapshot.run.run_id !== runId) {
    const found = `dag "${snapshot.run.dag_id}" run "${snapshot.run.run_id}"`;
    throw unreadableStateFile(paths.snapshot, `holds ${found}, not the run its name says`);
  }
  if (journalText === undefined) return { run: snapshot.run, seq: snapshot.seq, hasJournal: false };

  const journal = parseJournal(journalText, paths.journal);
  const { tasks: snapshotTasks, ...snapshotFields } = snapshot.run;
  let fields: Omit<DagRun, "tasks"> = snapshotFields;
  const tasks = copyTaskTable(snapshotTasks);
  let seq = snapshot.seq;
  for (const entry of journal.entries) {
    if (entry.seq <= snapshot.seq) continue;
    if ("task" in entry) tasks[entry.task.task_id] = entry.task;
    else fields = entry.run;
    seq = Math.max(seq, entry.seq);
  }
  const run: DagRun = { ...fields, tasks };
  return { run, seq, hasJournal: journalText !== "" };
}
