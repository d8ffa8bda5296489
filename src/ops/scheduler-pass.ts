import type { DagRun } from "../core/run.js";
import { runSchedulerOnce } from "../scheduler/run-once.js";
import { withSchedulerSession, type SchedulerOptions } from "./scheduler-session.js";
import type { Workspace } from "./workspace.js";

/** How `flow scheduler --once` should end. */
export type PassStatus =
  /** Every run it executed succeeded (or there was nothing to do). */
  | "success"
  /** A run it executed failed (exit 1, cron mails it). */
  | "failed"
  /** A stop request stopped a run: it is queued again (exit 130). */
  | "interrupted"
  /** A DAG or run could not be handled (a state file problem): `errors` says why. */
  | "error";

/** What one pass to completion did. */
export interface SchedulerPassResult {
  readonly ran: true;
  readonly created: number;
  /** Runs this process executed, as they ended (a run stopped by a signal is queued). */
  readonly finished: readonly DagRun[];
  readonly succeeded: number;
  readonly failed: number;
  /** Runs stopped by a stop request, queued again. */
  readonly stopped: number;
  /** Runs another flow process had, or finished first. */
  readonly skipped: number;
  /** Per-DAG and per-run errors, already logged as they happened; the first decides the exit. */
  readonly errors: readonly unknown[];
  /** Import error messages of the pipelines (logged at start). */
  readonly importErrors: readonly string[];
  readonly status: PassStatus;
}

/** Another scheduler holds the state dir: no pass (for cron, not a failure). */
export interface SchedulerPassSkipped {
  readonly ran: false;
  /** One line saying which scheduler holds it. */
  readonly busy: string;
}

/**
 * `flow scheduler --once`: under the scheduler lock, create what is due on every scheduled DAG
 * and execute it to completion, passing again as runs end (see runSchedulerOnce). A stop that
 * came before the lock was taken starts nothing.
 */
export async function runSchedulerPass(
  workspace: Workspace,
  options: SchedulerOptions,
): Promise<SchedulerPassResult | SchedulerPassSkipped> {
  const outcome = await withSchedulerSession(workspace, options, async (session) => {
    const summary = await runSchedulerOnce({
      store: session.store,
      engine: session.engine,
      pipelines: session.pipelines,
      now: () => workspace.now(),
      log: options.log,
      drain: options.stop.drain,
      signal: options.stop.signal,
    });
    return { summary, importErrors: session.pipelines.errors.flatMap((error) => error.messages) };
  });
  if (!outcome.ran) return outcome;
  const { summary, importErrors } = outcome.value;
  const count = (state: string): number =>
    summary.finished.filter((run) => run.state === state).length;
  const [succeeded, failed, stopped] = [count("success"), count("failed"), count("queued")];
  const status: PassStatus =
    stopped > 0
      ? "interrupted"
      : summary.errors.length > 0
        ? "error"
        : failed > 0
          ? "failed"
          : "success";
  return { ran: true, ...summary, succeeded, failed, stopped, importErrors, status };
}
