import type { RunFields, TaskInstance } from "../core/run.js";
import { findRunFieldsProblem, findTaskInstanceProblem } from "./run-shape.js";
import { oneLine, unreadableStateFile } from "./state-file-errors.js";

/**
 * One line of `runs/<dag>/<run>.journal`: a task instance or the run's own fields as saved,
 * numbered so a reader can tell which lines the snapshot already holds.
 */
export type JournalEntry =
  | { readonly seq: number; readonly task: TaskInstance }
  | { readonly seq: number; readonly run: RunFields };

/** What a journal file holds. */
export interface ParsedJournal {
  readonly entries: readonly JournalEntry[];
  /** True when the file ends inside a line: a crash mid-append, ignored. */
  readonly partialTail: boolean;
}

/** One journal line, newline included: the line is committed once its newline is on disk. */
export function formatJournalLine(entry: JournalEntry): string {
  // The text JSON.stringify(entry) gives, without walking a wrapper object per save.
  return "task" in entry
    ? `{"seq":${entry.seq},"task":${JSON.stringify(entry.task)}}\n`
    : `{"seq":${entry.seq},"run":${JSON.stringify(entry.run)}}\n`;
}

// Accepts one parsed line, or says (naming the file and line) why not.
function checkEntry(value: unknown, path: string, lineNumber: number): JournalEntry {
  const where = `line ${lineNumber}`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw unreadableStateFile(path, `${where} is not a journal entry`);
  }
  const line = value as Record<string, unknown>;
  if (!Number.isInteger(line.seq))
    throw unreadableStateFile(path, `${where}: seq is not an integer`);
  const problem =
    "task" in line
      ? findTaskInstanceProblem(line.task, "task")
      : "run" in line
        ? findRunFieldsProblem(line.run, "run")
        : "neither task nor run";
  if (problem !== undefined) throw unreadableStateFile(path, `${where}: ${problem}`);
  return line as unknown as JournalEntry;
}

/**
 * Parses a journal. Only the text after the last newline may be incomplete (the process died
 * during the write); it is ignored because its save never returned. Any complete line that does
 * not parse is corruption: a StateFileError naming the file and line.
 */
export function parseJournal(text: string, path: string): ParsedJournal {
  const lines = text.split("\n");
  const tail = lines.pop() ?? "";
  const entries = lines.map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (error) {
      const reason = oneLine((error as Error).message);
      throw unreadableStateFile(path, `line ${index + 1} is not valid JSON (${reason})`, error);
    }
    return checkEntry(value, path, index + 1);
  });
  return { entries, partialTail: tail !== "" };
}
