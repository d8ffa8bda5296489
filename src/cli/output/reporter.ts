import type { TaskInstance } from "../../core/run.js";
import type { RunObserver } from "../../runner/observer.js";
import { LiveReporter, PlainReporter, type RunReporter } from "../render/progress.js";
import type { CliContext } from "../context.js";

/** Progress for a run: live lines in a terminal, timestamped lines otherwise. */
export function makeReporter(context: CliContext, total?: number): RunObserver & { close(): void } {
  const reporter: RunReporter = context.interactive
    ? new LiveReporter(context.stdout, {
        color: context.color,
        ...(total !== undefined && { total }),
      })
    : new PlainReporter(context.stdout, { color: context.color });
  return {
    taskStarted: (instance: TaskInstance, at: Date) =>
      reporter.taskStarted(instance.task_id, instance.try_number, at, {
        queued: instance.state === "queued",
        ...(instance.hostname !== undefined && { host: instance.hostname }),
      }),
    taskFinished: (instance: TaskInstance, at: Date) =>
      instance.state === "up_for_retry" && reporter.taskRetrying
        ? reporter.taskRetrying(instance, at)
        : reporter.taskFinished(instance, at),
    close: () => reporter.close(),
  };
}
