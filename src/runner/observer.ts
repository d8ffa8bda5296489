import type { TaskInstance } from "../core/run.js";

/** What a run tells the outside while it executes (progress display, scheduler logs). */
export interface RunObserver {
  taskStarted?(instance: TaskInstance, at: Date): void;
  /** A try ended (success, failed, up_for_retry) or the task was decided without running. */
  taskFinished?(instance: TaskInstance, at: Date): void;
}
