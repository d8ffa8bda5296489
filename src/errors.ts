/**
 * Errors about flow's input (flags, pipelines, the state file). A failing task is not an error:
 * it is a state with a reason. Only src/cli/main.ts turns these into output and exit codes.
 */

/** Every exit code flow uses; the README's table is generated from the same numbers. */
export const EXIT = {
  ok: 0,
  /** A run ended with failed tasks. */
  runFailed: 1,
  /** Bad flags, dates, names: the command line is wrong. */
  usage: 2,
  /** A pipeline file failed to import or defines an invalid DAG. */
  pipeline: 3,
  /**
   * `flow scheduler status`: no scheduler is running. 3 is what init scripts and systemd's
   * status use for "not running"; only that command returns it with this meaning.
   */
  notRunning: 3,
  /** The state file cannot be read or written, or is locked by another process. */
  state: 4,
  /** Interrupted (SIGINT / SIGTERM) before the work was done. */
  interrupted: 130,
  /** A bug in flow. */
  internal: 70,
} as const;

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

/** A name that does not exist; the message lists the ones that do. */
export class NotFoundError extends FlowError {
  constructor(
    kind: string,
    name: string,
    known: readonly string[],
    options: { where?: string } = {},
  ) {
    const where = options.where ? ` in ${options.where}` : "";
    const list =
      known.length === 0
        ? `there are no ${kind}s`
        : `known: ${known.map((k) => `"${k}"`).join(", ")}`;
    super(`unknown ${kind} "${name}"${where} (${list})`, { exitCode: EXIT.usage });
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

/** The user stopped the command (Ctrl-C or SIGTERM). */
export class InterruptedError extends FlowError {
  constructor(message = "interrupted") {
    super(message, { exitCode: EXIT.interrupted });
  }
}
