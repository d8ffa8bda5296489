import type { RunObserver } from "../runner/observer.js";

/** Timestamped lines: what the scheduler did (stdout) and what went wrong (stderr). */
export interface SchedulerLog {
  info(message: string): void;
  warn(message: string): void;
}

interface Sink {
  write(text: string): unknown;
}

/**
 * A log whose lines start with the wall-clock time in UTC to the second, like `flow run`'s
 * progress lines. The wall clock, not FLOW_NOW: a log says when things happened.
 */
export function makeSchedulerLog(
  out: Sink,
  err: Sink,
  clock: () => Date = () => new Date(),
): SchedulerLog {
  const line = (message: string): string => `${clock().toISOString().slice(0, 19)}Z  ${message}\n`;
  return {
    info: (message) => out.write(line(message)),
    warn: (message) => err.write(line(message)),
  };
}

/** Task lines for the scheduler log: `<dag> <run> <task> running (try 1)`, then its state. */
export function taskLogObserver(log: SchedulerLog, dagId: string, runId: string): RunObserver {
  const prefix = `${dagId} ${runId}`;
  return {
    taskStarted: (instance) => {
      const on = instance.hostname === undefined ? "" : ` on ${instance.hostname}`;
      log.info(`${prefix} ${instance.task_id} ${instance.state}${on} (try ${instance.try_number})`);
    },
    taskFinished: (instance) => {
      const why = instance.reason ? `: ${instance.reason.split("\n")[0]}` : "";
      const line = `${prefix} ${instance.task_id} ${instance.state}`;
      if (instance.state === "failed" || instance.state === "up_for_retry")
        log.warn(`${line}${why}`);
      else log.info(line);
    },
  };
}
