import type { RunFields, TaskInstance } from "../core/run.js";
import type { RunWriter } from "../store/state-store.js";

const RESOLVED = Promise.resolve();

/** How long a save that nothing waits for (saveTaskLater) may stay unwritten, at most. */
export const LATER_SAVE_MS = 100;

/**
 * The saves of a run being executed, deferred (RunWriter.deferSaves) so that the changes of one
 * turn of the event loop cost one journal write, and what must wait until they are durable.
 */
export class SaveQueue {
  // What must wait until the saves before it are durable (see afterSaves).
  private effects: (() => void)[] = [];
  private flushQueued = false;
  // Saves made by saveTaskLater, by task, until the next flush (or a newer save of the task).
  private readonly later = new Map<string, TaskInstance>();
  // Writes them when no other save has by then.
  private laterTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly writer: RunWriter,
    // A flush that throws: the run cannot go on.
    private readonly onError: (error: unknown) => void,
  ) {
    writer.deferSaves();
  }

  saveTask(instance: TaskInstance): void {
    this.later.delete(instance.task_id);
    this.writer.saveTask(instance);
    this.flushSoon();
  }

  /**
   * Saves a change nothing acts on (a bash try's pid): it goes out with the next journal write,
   * or within LATER_SAVE_MS, unless a newer save of the task (built on it) comes first. A quick
   * task's pid then costs no journal line of its own: the line of its end carries it.
   */
  saveTaskLater(instance: TaskInstance): void {
    this.later.set(instance.task_id, instance);
    this.laterTimer ??= setTimeout(() => {
      this.laterTimer = undefined;
      this.flushSafely();
    }, LATER_SAVE_MS).unref();
  }

  /** Saves the run's fields; the caller flushes (flushNow) when something acts on them. */
  saveRun(fields: RunFields): void {
    this.writer.saveRun(fields);
  }

  /**
   * Runs `effect` once the saves made so far are durable. Whatever leaves the run (a try
   * starts, the observer prints a change, a callback runs) goes through here, so kill -9 never
   * leaves a try that ran, or a state someone saw, out of the state files; and the saves of one
   * turn (tasks ending and the next ones starting) cost one journal write.
   */
  afterSaves(effect: () => void): void {
    this.effects.push(effect);
    this.flushSoon();
  }

  /** Flushes the journal, then runs the effects waiting for it, in the order they came. */
  flushNow(): void {
    const effects = this.effects;
    this.effects = [];
    if (this.laterTimer !== undefined) {
      clearTimeout(this.laterTimer);
      this.laterTimer = undefined;
    }
    for (const instance of this.later.values()) this.writer.saveTask(instance);
    this.later.clear();
    this.writer.flush();
    for (const effect of effects) effect();
  }

  /** The run failed: what waited for the saves will not happen. */
  discard(): void {
    this.effects = [];
    this.later.clear();
    clearTimeout(this.laterTimer);
    this.laterTimer = undefined;
  }

  // Every save is durable by the end of the turn that made it (its microtasks included).
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // A resolved promise rather than queueMicrotask, which builds an AsyncResource each call.
    void RESOLVED.then(() => {
      this.flushQueued = false;
      this.flushSafely();
    });
  }

  private flushSafely(): void {
    try {
      this.flushNow();
    } catch (error) {
      this.onError(error);
    }
  }
}
