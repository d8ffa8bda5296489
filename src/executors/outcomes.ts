import { constants } from "node:os";
import type { TaskOutcome } from "./executor.js";
import { formatDuration } from "./durations.js";

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

/** The outcome of a try that hit its time limit. */
export function timedOut(timeoutMs: number): TaskOutcome {
  return {
    status: "failed",
    error: `timed out after ${formatDuration(timeoutMs)}`,
    timedOut: true,
    retryable: true,
  };
}

/** The outcome of a try stopped because the run was cancelled. */
export function cancelled(): TaskOutcome {
  return { status: "failed", error: "cancelled", retryable: true };
}

/**
 * The reason a try's signal is aborted with when the try is stopped for something other than its
 * run being cancelled (a worker handing it back, or letting go of a job it lost): its message
 * says why, in the try's log and outcome, instead of "cancelled".
 */
export class TryStopped extends Error {
  override name = "TryStopped";
}

/** The outcome of a try stopped through `signal`: why it was, else `cancelled`. */
export function stoppedBy(signal: AbortSignal): TaskOutcome {
  const reason: unknown = signal.reason;
  return reason instanceof TryStopped ? failed(reason.message) : cancelled();
}

/** Why flow stopped a try, for the line it ends the try's log with: `timed out after 5s`. */
export function whyStopped(outcome: TaskOutcome): string {
  return outcome.status === "failed" ? outcome.error : outcome.status;
}

/** A failure of the user's work with a one-line reason. */
export function failed(error: string): TaskOutcome {
  return { status: "failed", error, retryable: true };
}

/**
 * The outcome for a shell exit status. sh reports a child killed by signal N as 128 + N, the same
 * number a program gets with `exit 128+N`; like bash, we read it as the signal.
 */
export function fromExitStatus(status: number): TaskOutcome {
  if (status === 0) return { status: "success", exitCode: 0 };
  const signal = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  if (signal !== undefined)
    return { status: "failed", error: `killed by ${signal}`, exitCode: status, retryable: true };
  return { status: "failed", error: `exit code ${status}`, exitCode: status, retryable: true };
}

/** First line of what a task threw, `Error: message` style. */
export function describeThrown(thrown: unknown): string {
  const text =
    thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : `thrown: ${String(thrown)}`;
  return text.split("\n", 1)[0] ?? text;
}
