import { describe, expect, it } from "vitest";
import { beginRun } from "../../../src/core/begin-run.js";
import { planClear } from "../../../src/core/clear-plan.js";
import { markTasks } from "../../../src/core/mark.js";
import {
  integrityChanges,
  REMOVED_REASON,
  withIntegrity,
} from "../../../src/core/run-integrity.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf } from "./run-event-fixture.js";

const now = new Date("2026-01-02T12:00:00.000Z");
const ended = "2026-01-01T00:05:00.000Z";

// The DAG when the run was made: a -> b (b failed); then b was removed and c added: a -> c.
const before = makeDag({ a: [], b: ["a"] });
const after = makeDag({ a: [], c: ["a"] });
const failed = runOf(
  before,
  {
    a: { state: "success", try_number: 1, end: ended },
    b: { state: "failed", try_number: 1, reason: "exit code 1", end: ended, pid: 5 },
  },
  { state: "failed", end: ended },
);

const describe1 = (ti: { task_id: string; state: string; reason: string | null }) =>
  `${ti.task_id}: ${ti.state}${ti.reason ? ` (${ti.reason})` : ""}`;

describe("integrityChanges: a run made to match the DAG as it is now (Airflow's verify_integrity)", () => {
  it("a run that matches its DAG: nothing", () => {
    expect(integrityChanges(before, failed.tasks)).toEqual([]);
  });

  it("an added task gets a fresh instance; a removed one is removed whatever its state", () => {
    const changes = integrityChanges(after, failed.tasks);
    expect(changes.map(describe1)).toEqual(["c: none", `b: removed (${REMOVED_REASON})`]);
    const removed = changes.find((ti) => ti.task_id === "b")!;
    // Its try and times stay (what ran, ran); nothing of it runs any more.
    expect(removed).toMatchObject({ try_number: 1, end: ended, pid: null, next_try_at: null });
  });

  it("a removed task that is back returns to no state, its retries restored; removed stays removed", () => {
    const { tasks } = withIntegrity(after, failed.tasks);
    expect(integrityChanges(after, tasks)).toEqual([]);
    const back = makeDag({ a: [], b: { upstream: ["a"], retries: 2 }, c: ["a"] });
    const changes = integrityChanges(back, tasks);
    expect(changes.map(describe1)).toEqual(["b: none"]);
    expect(changes[0]).toMatchObject({ try_number: 1, max_tries: 4, end: null });
  });

  it("withIntegrity leaves the table it was given as it was", () => {
    const { tasks } = withIntegrity(after, failed.tasks);
    expect(tasks.b!.state).toBe("removed");
    expect(failed.tasks.b!.state).toBe("failed");
    expect(Object.hasOwn(failed.tasks, "c")).toBe(false);
  });

  it("beginRun writes them before the lost tries", () => {
    const run = runOf(
      before,
      { a: { state: "running", try_number: 1, pid: 3 }, b: "none" },
      { state: "running", owner: { pid: 3, hostname: "h", heartbeat: ended } },
    );
    const event = beginRun(makeDag({ a: [], c: ["a"] }), run, now, { pid: 9, hostname: "h" });
    expect(describeEvent(event).tasks).toEqual([
      "c: none",
      `b: removed (${REMOVED_REASON})`,
      "a: failed (process lost: flow process 3 ended while the try was running)",
    ]);
  });
});

describe("mark and clear on a run made before the DAG changed", () => {
  it("a task added since can be marked; the run is then decided by the leaf rule over it", () => {
    const event = markTasks(after, failed, { taskIds: ["c"], state: "success", now });
    expect(describeEvent(event).tasks).toEqual([
      "c: success (marked success by hand)",
      `b: removed (${REMOVED_REASON})`,
    ]);
    expect(event.run?.state).toBe("success");
  });

  it("another task marked: the added task has not run, so the run goes back to queued", () => {
    const grown = makeDag({ a: [], b: ["a"], c: ["b"] });
    const event = markTasks(grown, failed, { taskIds: ["b"], state: "success", now });
    // c is still to run: no news in the table, but the run is not finished.
    expect(describeEvent(event)).toEqual({
      tasks: ["b: success (marked success by hand)"],
      ready: ["c"],
      retries: [],
    });
    expect(event.run?.state).toBe("queued");
  });

  it("clear plans only instances the run has: an added task has nothing to clear", () => {
    const grown = makeDag({ a: [], b: ["a"], c: ["b"] });
    const plan = planClear(grown, [failed], {});
    expect(plan.map((entry) => entry.taskIds)).toEqual([["a", "b"]]);
    expect(planClear(grown, [failed], { taskPattern: /^c$/ })).toEqual([]);
  });
});
