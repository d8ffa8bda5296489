/**
 * Errors about flow's input (flags, pipelines, the state file). A failing task is not an error:
 * it is a state with a reason. Only src/cli/main.ts turns these into output and exit codes.
 */

import { closest } from "./core/did-you-mean.js";

/** One exit code and what it means, as the README's exit-code table says it. */
export interface ExitCode {
  readonly code: number;
  readonly meaning: string;
}

/**
 * Every exit code flow uses, with its meaning: the one source of `EXIT` and of the README's
 * exit-code table (`renderExitCodeTable`; test/unit/errors/exit-codes.test.ts keeps them equal).
 * Two names may share a code: the table then gives both meanings in one row, in this order.
 */
export const EXIT_CODES = {
  ok: { code: 0, meaning: "success" },
  /** A run ended with failed tasks. */
  runFailed: {
    code: 1,
    meaning:
      "a run ended failed (or `flow test`'s task failed, or `flow connections test` got no answer it could accept)",
  },
  /** Bad flags, dates, names: the command line is wrong. */
  usage: {
    code: 2,
    meaning:
      "usage: an unknown command, option, DAG, task, run or connection; a bad date or value; a malformed connection URI or a connections file others can read; a manual run that exists already",
  },
  /** A pipeline file failed to import or defines an invalid DAG. */
  pipeline: {
    code: 3,
    meaning:
      "pipeline definition: an import error in the DAG you asked for, or any in `flow validate` and `flow scheduler --once`",
  },
  /**
   * `flow scheduler status`: no scheduler is running. 3 is what init scripts and systemd's
   * status use for "not running"; only that command returns it with this meaning.
   */
  notRunning: {
    code: 3,
    meaning: "for `flow scheduler status` only: no scheduler is running (systemd's convention)",
  },
  /** The state file cannot be read or written, or is locked by another process. */
  state: {
    code: 4,
    meaning:
      "state: a state file cannot be read or written, a run is locked by another live process, or a previewed clear plan changed (`--expect`)",
  },
  /** `--executor queue`, `flow worker`, `flow workers`: Redis cannot be reached or refused us. */
  queue: {
    code: 5,
    meaning:
      "queue: Redis cannot be reached, or refuses flow's commands (`--executor queue`, `flow worker`, `flow workers`)",
  },
  /** A bug in flow. */
  internal: {
    code: 70,
    meaning: "internal error: a bug in flow (`FLOW_DEBUG=1` prints the stack; please report it)",
  },
  /** Interrupted (SIGINT / SIGTERM) before the work was done. */
  interrupted: {
    code: 130,
    meaning: "interrupted by Ctrl-C or SIGTERM; running tasks were stopped and will run again",
  },
} as const satisfies Record<string, ExitCode>;

/** The exit code by name (`EXIT.usage` is 2), taken from `EXIT_CODES`. */
export const EXIT = Object.fromEntries(
  Object.entries(EXIT_CODES).map(([name, { code }]) => [name, code]),
) as { readonly [Name in keyof typeof EXIT_CODES]: (typeof EXIT_CODES)[Name]["code"] };

/**
 * The README's exit-code table, as markdown: one row per code, in ascending order, the meanings
 * of names that share a code joined by "; ". Columns are padded as prettier pads them, so the
 * README holds exactly this text.
 */
export function renderExitCodeTable(): string {
  const meanings = new Map<number, string[]>();
  for (const { code, meaning } of Object.values<ExitCode>(EXIT_CODES)) {
    meanings.set(code, [...(meanings.get(code) ?? []), meaning]);
  }
  const rows = [...meanings]
    .sort(([a], [b]) => a - b)
    .map(([code, texts]) => [String(code), texts.join("; ")]);
  const header = ["code", "meaning"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}

export class FlowError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode: number; hint?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

export class UsageError extends FlowError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: EXIT.usage, ...options });
  }
}

/** How a `NotFoundError` words its message; every part is optional. */
export interface NotFoundOptions {
  /** Where the name was looked up: `dag "etl"` gives `unknown task "x" in dag "etl"`. */
  readonly where?: string;
  /** What the name belongs to: `dag "etl"` gives `unknown run "x" of dag "etl"`. */
  readonly of?: string;
  /** Suggest the closest known name first: `(did you mean "extract"?; known: ...)`. */
  readonly suggest?: boolean;
  /** The word before the names (default "known"), e.g. "latest" for the newest runs. */
  readonly label?: string;
  /** What to say when no name is known (default `there are no <kind>s`). */
  readonly noneKnown?: string;
  /** More notes after the names, e.g. how many pipeline files failed to import. */
  readonly notes?: readonly string[];
  readonly hint?: string;
}

/**
 * A name that does not exist; the message lists the ones that do, in the order given:
 * `unknown dag "godo" (did you mean "good"?; known: "good")`. A usage error.
 */
export class NotFoundError extends FlowError {
  readonly kind: string;
  readonly missing: string;
  readonly known: readonly string[];
  constructor(kind: string, name: string, known: readonly string[], options: NotFoundOptions = {}) {
    const guess = options.suggest ? closest(name, known) : undefined;
    const names =
      known.length === 0
        ? (options.noneKnown ?? `there are no ${kind}s`)
        : `${options.label ?? "known"}: ${known.map((k) => `"${k}"`).join(", ")}`;
    const details = [guess && `did you mean "${guess}"?`, names, ...(options.notes ?? [])];
    const where = options.where ? ` in ${options.where}` : "";
    const of = options.of ? ` of ${options.of}` : "";
    super(`unknown ${kind} "${name}"${where}${of} (${details.filter(Boolean).join("; ")})`, {
      exitCode: EXIT.usage,
      ...(options.hint !== undefined && { hint: options.hint }),
    });
    this.kind = kind;
    this.missing = name;
    this.known = known;
  }
}

export class PipelineError extends FlowError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: EXIT.pipeline, ...options });
  }
}

export class StateFileError extends FlowError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: EXIT.state, ...options });
  }
}

/**
 * A run cannot be created because its id, or another automated run of its logical date, exists
 * (Airflow keeps one scheduled-or-backfill run per logical date). `existingRunId` names it.
 */
export class RunExistsError extends StateFileError {
  constructor(
    message: string,
    readonly existingRunId: string,
  ) {
    super(message);
  }
}

export class LockError extends FlowError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: EXIT.state, ...options });
  }
}

/** Redis, which the queue executor and workers need, cannot be reached or refused a command. */
export class QueueError extends FlowError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: EXIT.queue, ...options });
  }
}

/** The user stopped the command (Ctrl-C or SIGTERM). */
export class InterruptedError extends FlowError {
  constructor(message = "interrupted", options: { hint?: string } = {}) {
    super(message, { exitCode: EXIT.interrupted, ...options });
  }
}
