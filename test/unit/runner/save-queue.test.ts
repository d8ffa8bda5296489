import { describe, expect, it, vi } from "vitest";
import type { RunFields, TaskInstance } from "../../../src/core/run.js";
import { LATER_SAVE_MS, SaveQueue } from "../../../src/runner/save-queue.js";
import type { RunWriter } from "../../../src/store/state-store.js";

// A writer that logs what is saved and flushed, in order.
function loggingWriter(log: string[]): RunWriter {
  return {
    run: undefined as never,
    saveTask: (instance: TaskInstance) => log.push(`save ${instance.task_id}`),
    saveRun: (fields: RunFields) => log.push(`save run ${fields.state}`),
    deferSaves: () => log.push("defer"),
    flush: () => log.push("flush"),
    close: async () => undefined,
  };
}

const task = (id: string) => ({ task_id: id }) as TaskInstance;

describe("SaveQueue", () => {
  it("runs an effect only after the saves before it are flushed, once per turn", async () => {
    const log: string[] = [];
    const saves = new SaveQueue(loggingWriter(log), (error) => log.push(`error ${error}`));
    saves.saveTask(task("a"));
    saves.afterSaves(() => log.push("effect a"));
    saves.saveTask(task("b"));
    saves.afterSaves(() => log.push("effect b"));
    expect(log).toEqual(["defer", "save a", "save b"]);
    await Promise.resolve();
    expect(log).toEqual(["defer", "save a", "save b", "flush", "effect a", "effect b"]);
  });

  it("flushNow writes and runs what waits at once; discard drops what waits", async () => {
    const log: string[] = [];
    const saves = new SaveQueue(loggingWriter(log), (error) => log.push(`error ${error}`));
    saves.afterSaves(() => log.push("kept"));
    saves.flushNow();
    saves.afterSaves(() => log.push("dropped"));
    saves.discard();
    await Promise.resolve();
    expect(log).toEqual(["defer", "flush", "kept", "flush"]);
  });

  it("a later save goes with the next flush, or on its own within LATER_SAVE_MS", async () => {
    vi.useFakeTimers();
    try {
      const log: string[] = [];
      const saves = new SaveQueue(loggingWriter(log), (error) => log.push(`error ${error}`));
      saves.saveTaskLater(task("a"));
      await Promise.resolve();
      expect(log).toEqual(["defer"]);
      saves.saveTask(task("b"));
      await Promise.resolve();
      expect(log).toEqual(["defer", "save b", "save a", "flush"]);
      vi.advanceTimersByTime(LATER_SAVE_MS);
      expect(log).toHaveLength(4); // the flush above wrote it: no timer left
      saves.saveTaskLater(task("c"));
      vi.advanceTimersByTime(LATER_SAVE_MS - 1);
      expect(log).toHaveLength(4);
      vi.advanceTimersByTime(1);
      expect(log.slice(4)).toEqual(["save c", "flush"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a later save is dropped when a newer save of its task comes first", async () => {
    const log: string[] = [];
    const saves = new SaveQueue(loggingWriter(log), (error) => log.push(`error ${error}`));
    saves.saveTaskLater(task("a"));
    saves.saveTask(task("a"));
    await Promise.resolve();
    expect(log).toEqual(["defer", "save a", "flush"]);
    saves.saveTaskLater(task("b"));
    saves.discard();
    saves.flushNow();
    expect(log).toEqual(["defer", "save a", "flush", "flush"]);
  });

  it("a flush that throws goes to onError", async () => {
    const log: string[] = [];
    const writer = {
      ...loggingWriter(log),
      flush: () => {
        throw new Error("disk full");
      },
    };
    const saves = new SaveQueue(writer, (error) => log.push(`error ${(error as Error).message}`));
    saves.saveTask(task("a"));
    await Promise.resolve();
    expect(log).toEqual(["defer", "save a", "error disk full"]);
  });
});
