import { describe, expect, it } from "vitest";
import type { TaskInstance } from "../../../src/core/run.js";
import type { TaskState } from "../../../src/core/states.js";
import { queueTry } from "../../../src/core/transitions.js";
import type { TaskExecution } from "../../../src/executors/executor.js";
import { FollowLanes, type Lane } from "../../../src/runner/follow-lanes.js";
import { instances, makeDag } from "../core/dag-fixture.js";
import { runningTry } from "../core/run-event-fixture.js";

const now = new Date("2026-01-01T00:10:00.000Z");
const started = "2026-01-01T00:00:00.000Z";
const running = runningTry(started);
const noneHeld: ReadonlySet<string> = new Set();

//   a -> b -> c -> d; x -> y; x -> f (a function task)
const dag = makeDag({
  a: [],
  b: ["a"],
  c: ["b"],
  d: ["c"],
  x: [],
  y: ["x"],
  f: { upstream: ["x"], role: "plain" },
});

/** A stand-in for what the executor was given: FollowLanes only hands it back. */
function execution(taskId: string): TaskExecution {
  return { ref: { taskId } } as unknown as TaskExecution;
}

/** The run's task table, each task in the state given (default none). */
function table(
  states: Record<string, TaskState | Partial<TaskInstance>> = {},
): Record<string, TaskInstance> {
  const tasks = instances(dag, states);
  // "queued": a follower recorded as dispatched (see RunTries.start).
  for (const [id, ti] of Object.entries(tasks))
    if (ti.state === "queued")
      tasks[id] = queueTry({ ...ti, state: "none" }, now, { logPath: "l" });
  return tasks;
}

/** Lanes with `leaders` launched, in that order. */
function lanesWith(...leaders: string[]): {
  lanes: FollowLanes;
  executions: Map<string, TaskExecution>;
} {
  const lanes = new FollowLanes();
  const executions = new Map<string, TaskExecution>();
  for (const id of leaders) {
    const launched = execution(id);
    executions.set(id, launched);
    lanes.launched(id, launched);
  }
  return { lanes, executions };
}

const plan = (lanes: FollowLanes, tasks: Record<string, TaskInstance>, held = noneHeld) =>
  lanes.plan(dag, tasks, { now, held });

/** `taskId` dispatched to follow `leader`, as RunTries does; `before` its instance until now. */
function follow(
  lanes: FollowLanes,
  leader: string,
  taskId: string,
  runSignal: AbortSignal = new AbortController().signal,
): Lane {
  const before = table()[taskId]!;
  return lanes.follow({ leader, taskId }, before, runSignal);
}

describe("FollowLanes.plan", () => {
  it("plans the chain successor of each running leader, in launch order", () => {
    const { lanes } = lanesWith("x", "a");
    expect(plan(lanes, table({ a: running, x: running }))).toEqual([
      { leader: "x", taskId: "y" },
      { leader: "a", taskId: "b" },
    ]);
  });

  it("plans only bash successors", () => {
    const { lanes } = lanesWith("x");
    expect(plan(lanes, table({ x: running, y: "success" }))).toEqual([]);
  });

  it("plans nothing for a try not running (queued, or ended but not yet told)", () => {
    for (const state of ["queued", "success", "failed", "none"] as const) {
      const { lanes } = lanesWith("a");
      expect(plan(lanes, table({ a: state }))).toEqual([]);
    }
  });

  it("plans nothing for a task not launched", () => {
    expect(plan(new FollowLanes(), table({ a: running }))).toEqual([]);
  });

  it("plans nothing for a successor held by dependsOnPast", () => {
    const { lanes } = lanesWith("a");
    expect(plan(lanes, table({ a: running }), new Set(["b"]))).toEqual([]);
  });

  it("plans nothing for a leader that has a follower already", () => {
    const { lanes } = lanesWith("a", "x");
    follow(lanes, "a", "b");
    // Even were the table to say b is still none.
    expect(plan(lanes, table({ a: running, x: running }))).toEqual([{ leader: "x", taskId: "y" }]);
  });

  it("plans a follower's successor once it has started (the follower leads)", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    expect(plan(lanes, table({ a: running, b: "queued" }))).toEqual([]);
    expect(plan(lanes, table({ a: running, b: running }))).toEqual([{ leader: "b", taskId: "c" }]);
  });

  it("plans nothing after the leader ended, even if the table still says running", () => {
    const { lanes } = lanesWith("a");
    expect(lanes.ended("a", true)).toBe(true);
    expect(plan(lanes, table({ a: running }))).toEqual([]);
  });

  it("never plans again for a leader whose follower was refused, until that leader ends", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    // b never started (a did not exit 0), a's end not told yet.
    expect(lanes.ended("b", false)).toBe(false);
    expect(plan(lanes, table({ a: running }))).toEqual([]);
    expect(lanes.ended("a", false)).toBe(true);
    // A new try of a (a retry), launched again: it may lead.
    lanes.launched("a", execution("a"));
    expect(plan(lanes, table({ a: running }))).toEqual([{ leader: "a", taskId: "b" }]);
  });

  it("does not refuse a leader whose follower ended as a success", () => {
    // The leader's end not told yet: a running try without a follower again, planned by what
    // the table says (b done: nothing; were b none again, b).
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    expect(lanes.ended("b", true)).toBe(false);
    expect(plan(lanes, table({ a: running, b: "success" }))).toEqual([]);
    expect(plan(lanes, table({ a: running }))).toEqual([{ leader: "a", taskId: "b" }]);
  });
});

describe("FollowLanes.follow and before", () => {
  it("gives the follower the leader's execution and a signal of its own", () => {
    const { lanes, executions } = lanesWith("a");
    const lane = follow(lanes, "a", "b");
    expect(lane.follow.after).toBe(executions.get("a"));
    expect(lane.signal.aborted).toBe(false);
  });

  it("before() is the instance given to follow(), until the follower ended", () => {
    const { lanes } = lanesWith("a");
    const before = { ...table().b!, try_number: 3, reason: "cleared" };
    lanes.follow({ leader: "a", taskId: "b" }, before, new AbortController().signal);
    expect(lanes.before("b")).toBe(before);
    expect(lanes.before("a")).toBeUndefined();
    expect(lanes.before("c")).toBeUndefined();
    lanes.ended("b", false);
    expect(lanes.before("b")).toBeUndefined();
  });
});

describe("FollowLanes.ended: slots", () => {
  it("a try without follower, not a follower: its slot is free", () => {
    const { lanes } = lanesWith("a");
    expect(lanes.ended("a", true)).toBe(true);
    const other = lanesWith("a").lanes;
    expect(other.ended("a", false)).toBe(true);
  });

  it("a task never launched (a function task): its slot is free", () => {
    expect(new FollowLanes().ended("f", true)).toBe(true);
  });

  it("a leader with a follower: the follower takes its slot, freed by the follower's end", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    expect(lanes.ended("a", true)).toBe(false);
    expect(lanes.ended("b", true)).toBe(true);
  });

  it("a leader that failed with a follower: the follower (not started) still holds the slot", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    expect(lanes.ended("a", false)).toBe(false);
    expect(lanes.ended("b", false)).toBe(true);
  });

  it("a follower that ends before its leader held no slot: the leader's end frees it", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    expect(lanes.ended("b", false)).toBe(false);
    expect(lanes.ended("a", true)).toBe(true);
  });

  it("a follower that started and succeeded before its leader's end: the leader's end frees it", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    expect(lanes.ended("b", true)).toBe(false);
    expect(lanes.ended("a", true)).toBe(true);
  });

  it("a chain a -> b -> c, b ending before a's end: c is passed on to a, and frees the slot", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    follow(lanes, "b", "c");
    lanes.launched("c", execution("c"));
    expect(lanes.ended("b", true)).toBe(false);
    expect(lanes.ended("a", true)).toBe(false);
    expect(lanes.ended("c", true)).toBe(true);
  });

  it("a chain a -> b -> c ended in order: one slot, freed by c", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    follow(lanes, "b", "c");
    lanes.launched("c", execution("c"));
    expect(lanes.ended("a", true)).toBe(false);
    expect(lanes.ended("b", true)).toBe(false);
    expect(lanes.ended("c", true)).toBe(true);
  });

  it("a chain a -> b -> c, c refused then b ended before a's end: a's end frees the slot", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    follow(lanes, "b", "c");
    expect(lanes.ended("c", false)).toBe(false);
    expect(lanes.ended("b", true)).toBe(false);
    expect(lanes.ended("a", true)).toBe(true);
  });

  it("two leaders, each with a follower: two slots, each freed once", () => {
    const { lanes } = lanesWith("a", "x");
    follow(lanes, "a", "b");
    follow(lanes, "x", "y");
    const freed = [
      lanes.ended("a", true),
      lanes.ended("y", false),
      lanes.ended("x", true),
      lanes.ended("b", true),
    ];
    expect(freed).toEqual([false, false, true, true]);
  });
});

describe("FollowLanes: stopping followers", () => {
  it("a leader that ends without success stops its follower", () => {
    const { lanes } = lanesWith("a");
    const lane = follow(lanes, "a", "b");
    lanes.ended("a", false);
    expect(lane.signal.aborted).toBe(true);
  });

  it("a leader that succeeds does not", () => {
    const { lanes } = lanesWith("a");
    const lane = follow(lanes, "a", "b");
    lanes.ended("a", true);
    expect(lane.signal.aborted).toBe(false);
  });

  it("a follower that ends without success stops the follower passed on to it", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", execution("b"));
    const c = follow(lanes, "b", "c");
    lanes.ended("b", false);
    expect(c.signal.aborted).toBe(true);
  });

  it("the run's signal stops every follower", () => {
    const run = new AbortController();
    const { lanes } = lanesWith("a", "x");
    const b = follow(lanes, "a", "b", run.signal);
    const y = follow(lanes, "x", "y", run.signal);
    expect(b.signal.aborted || y.signal.aborted).toBe(false);
    run.abort();
    expect(b.signal.aborted && y.signal.aborted).toBe(true);
  });

  it("the run's signal no longer reaches a follower that ended", () => {
    const run = new AbortController();
    const { lanes } = lanesWith("a");
    const lane = follow(lanes, "a", "b", run.signal);
    lanes.ended("a", true);
    lanes.ended("b", true);
    run.abort();
    expect(lane.signal.aborted).toBe(false);
  });

  it("cancelWaiting cancels every follower, and stops none: one that started runs on", () => {
    const { lanes } = lanesWith("a", "x");
    const b = follow(lanes, "a", "b");
    const y = follow(lanes, "x", "y");
    lanes.cancelWaiting();
    expect(b.follow.cancel.aborted).toBe(true);
    expect(y.follow.cancel.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);
    expect(y.signal.aborted).toBe(false);
  });

  it("a follower relinked to its leader's leader is not stopped when that one fails", () => {
    const { lanes } = lanesWith("a");
    follow(lanes, "a", "b");
    lanes.launched("b", {} as never);
    const c = follow(lanes, "b", "c");
    expect(lanes.ended("b", true)).toBe(false); // b ends before a's end is handled
    expect(lanes.ended("a", false)).toBe(false); // c takes a's slot over
    expect(c.signal.aborted).toBe(false);
    expect(lanes.ended("c", true)).toBe(true);
  });

  it("cancelWaiting leaves followers that ended alone", () => {
    const { lanes } = lanesWith("a");
    const b = follow(lanes, "a", "b");
    lanes.ended("a", true);
    lanes.ended("b", true);
    lanes.cancelWaiting();
    expect(b.follow.cancel.aborted).toBe(false);
  });
});
