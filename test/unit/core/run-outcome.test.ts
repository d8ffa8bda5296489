import { describe, expect, it } from "vitest";
import { decideRunOutcome } from "../../../src/core/run-outcome.js";
import type { TaskState } from "../../../src/core/states.js";
import { instances, makeDag } from "./dag-fixture.js";

//   extract -> transform -> load
//                       \-> cleanup (all_done)
const dag = makeDag({
  extract: [],
  transform: ["extract"],
  load: ["transform"],
  cleanup: { upstream: ["transform"], triggerRule: "all_done" },
});
const idle = { ready: 0, running: 0, waitingForRetry: 0 };

describe("decideRunOutcome", () => {
  it.each<
    [
      string,
      Record<string, TaskState>,
      { ready: number; running: number; waitingForRetry: number },
      object,
    ]
  >([
    [
      "all success",
      { extract: "success", transform: "success", load: "success", cleanup: "success" },
      idle,
      { state: "success" },
    ],
    [
      "leaves success or skipped",
      { extract: "success", transform: "success", load: "skipped", cleanup: "success" },
      idle,
      { state: "success" },
    ],
    [
      "a failed leaf",
      { extract: "success", transform: "success", load: "failed", cleanup: "success" },
      idle,
      { state: "failed", reason: null },
    ],
    [
      "an upstream_failed leaf",
      {
        extract: "failed",
        transform: "upstream_failed",
        load: "upstream_failed",
        cleanup: "success",
      },
      idle,
      { state: "failed", reason: null },
    ],
    [
      "a removed leaf is ignored",
      { extract: "success", transform: "success", load: "removed", cleanup: "success" },
      idle,
      { state: "success" },
    ],
    [
      "still running",
      { extract: "success", transform: "running" },
      { ...idle, running: 1 },
      { state: "running" },
    ],
    ["a task ready", { extract: "success" }, { ...idle, ready: 1 }, { state: "running" }],
    [
      "waiting for a retry",
      { extract: "up_for_retry" },
      { ...idle, waitingForRetry: 1 },
      { state: "running" },
    ],
    [
      "deadlocked: unfinished tasks and nothing can move",
      { extract: "success", transform: "removed" },
      idle,
      { state: "failed", reason: 'deadlocked: tasks "cleanup", "load" can never run' },
    ],
  ])("%s", (_name, states, activity, expected) => {
    expect(decideRunOutcome(dag, instances(dag, states), activity)).toEqual(expected);
  });

  it("a failure in the middle does not fail the run when the only leaf is all_done and succeeded", () => {
    const tolerant = makeDag({
      extract: [],
      notify: { upstream: ["extract"], triggerRule: "all_done" },
    });
    expect(
      decideRunOutcome(
        tolerant,
        instances(tolerant, { extract: "failed", notify: "success" }),
        idle,
      ),
    ).toEqual({ state: "success" });
  });

  const blockedByPast = ['task "load" depends on past: it is failed in the previous run r1'];

  it("a task given up on for its past fails the run, deadlocked, whatever the leaves say", () => {
    const tasks = instances(dag, {
      extract: "success",
      transform: "success",
      load: "upstream_failed",
      cleanup: "success",
    });
    expect(decideRunOutcome(dag, tasks, { ...idle, blockedByPast })).toEqual({
      state: "failed",
      reason: 'deadlocked: task "load" depends on past: it is failed in the previous run r1',
    });
  });

  it("tasks given up on for their past do not end a run that still has work", () => {
    const tasks = instances(dag, { extract: "success", transform: "running" });
    expect(decideRunOutcome(dag, tasks, { ...idle, running: 1, blockedByPast })).toEqual({
      state: "running",
    });
  });

  it("names one deadlocked task in the singular, and at most ten", () => {
    const one = makeDag({ a: [] });
    expect(decideRunOutcome(one, instances(one), idle)).toEqual({
      state: "failed",
      reason: 'deadlocked: task "a" can never run',
    });
    const many = makeDag(
      Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [`t${String(i).padStart(2, "0")}`, []]),
      ),
    );
    expect(decideRunOutcome(many, instances(many), idle)).toEqual({
      state: "failed",
      reason: `deadlocked: tasks ${Array.from({ length: 10 }, (_, i) => `"t${String(i).padStart(2, "0")}"`).join(", ")} and 2 more can never run`,
    });
  });
});
