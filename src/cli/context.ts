import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { Workspace } from "../ops/workspace.js";

/** What every command gets from the outside world, so tests and the binary wire it the same way. */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /**
   * Colour on: FORCE_COLOR when it is set and not empty (any value but 0 or false turns colour
   * on, and it wins over NO_COLOR, as in chalk and Node); else a terminal, with NO_COLOR empty or
   * unset (no-color.org: only a non-empty NO_COLOR turns colour off) and TERM not dumb.
   */
  readonly color: boolean;
  /** stdout is a terminal: live progress, confirmation prompts. */
  readonly interactive: boolean;
  /** A command that finished but wants a non-zero exit (a failed run) sets it here. */
  readonly result: { exitCode: number };
  /** "Now" for the schedule and for manual runs: FLOW_NOW when set (a testing aid), else the clock. */
  now(): Date;
}

/** Options every command takes. */
export interface GlobalOptions {
  readonly pipelines?: string;
  readonly stateDir?: string;
}

/** Builds the context of the running process. */
export function processContext(): CliContext {
  const env = process.env;
  const forced = env.FORCE_COLOR;
  const color =
    forced !== undefined && forced !== ""
      ? forced !== "0" && forced !== "false"
      : Boolean(process.stdout.isTTY) && !env.NO_COLOR && env.TERM !== "dumb";
  const pinned = env.FLOW_NOW;
  let pinnedDate: Date | undefined;
  if (pinned) {
    pinnedDate = new Date(pinned);
    if (Number.isNaN(pinnedDate.getTime())) {
      throw new UsageError(`FLOW_NOW="${pinned}" is not an ISO date`, {
        hint: "e.g. FLOW_NOW=2026-01-03T06:00:00Z",
      });
    }
  }
  return {
    cwd: process.cwd(),
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    color,
    interactive: Boolean(process.stdout.isTTY),
    result: { exitCode: 0 },
    now: () => (pinnedDate ? new Date(pinnedDate) : new Date()),
  };
}

/** The pipelines folder: --pipelines, else FLOW_PIPELINES, else ./pipelines. */
export function pipelinesDir(context: CliContext, options: GlobalOptions): string {
  return resolve(context.cwd, options.pipelines ?? context.env.FLOW_PIPELINES ?? "pipelines");
}

/** The state dir: --state-dir, else FLOW_HOME, else ./state. */
export function stateDir(context: CliContext, options: GlobalOptions): string {
  return resolve(context.cwd, options.stateDir ?? context.env.FLOW_HOME ?? "state");
}

/** The workspace this invocation's operations work in. */
export function workspaceOf(context: CliContext, options: GlobalOptions): Workspace {
  return {
    cwd: context.cwd,
    env: context.env,
    pipelinesDir: pipelinesDir(context, options),
    stateDir: stateDir(context, options),
    now: () => context.now(),
  };
}
