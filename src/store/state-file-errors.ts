import { StateFileError } from "../errors.js";

const NEVER_REWRITTEN = "flow never rewrites a state file it cannot read: fix or remove it";

/** The error for a state file flow cannot use; it names the file and promises not to touch it. */
export function unreadableStateFile(
  path: string,
  problem: string,
  cause?: unknown,
): StateFileError {
  return new StateFileError(`${path}: ${problem}; ${NEVER_REWRITTEN}`, { cause });
}

/** The error for a file or folder that cannot be read or written at all (permissions, disk). */
export function inaccessibleStatePath(
  path: string,
  action: string,
  cause: unknown,
): StateFileError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
  return new StateFileError(`${path}: cannot ${action} (${detail})`, { cause });
}

/** Parses JSON text, turning a syntax error (or an empty file) into an error naming the file. */
export function parseStateJson(path: string, text: string): unknown {
  if (text.trim() === "") throw unreadableStateFile(path, "empty file");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw unreadableStateFile(path, `not valid JSON (${oneLine((error as Error).message)})`, error);
  }
}

/** True when an fs error means "does not exist". */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** A parser's message on one line: V8's quotes the start of the text, newlines included. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ");
}
