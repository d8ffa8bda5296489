import { describe, expect, it } from "vitest";
import { beginRun } from "../../../src/core/begin-run.js";
import { isQueueHeld, queueHeldTries, recoverLostRun } from "../../../src/core/lost-tries.js";
import { queueTry, workerStartedTry } from "../../../src/core/transitions.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf, runningTry } from "./run-event-fixture.js";

const at = new Date("2026-01-01T00:10:00.000Z");
const started = "2026-01-01T00:00:00.000Z";
const owner = { pid: 7, hostname: "box", heartbeat: started };
const dag = makeDag({ extract: [], load: { upstream: ["extract"] }, audit: [] });
const queued = { state: "queued" as const, try_number: 1, job_id: "j1", queued_at: started };
const onWorker = runningTry(started, { job_id: "j2", hostname: "worker-1", pid: 501 });

describe("a try held by the queue (--executor queue)", () => {
  it("is queued under its job id until a worker starts it, then running on that worker", () => {
    const none = runOf(dag).tasks.extract!;
    const queuedTry = queueTry(none, at, { jobId: "etl.extract.t1-ab", logPath: "1.log" });
    expect(queuedTry).toMatchObject({
      state: "queued",
      try_number: 1,
      start: null,
      pid: null,
      job_id: "etl.extract.t1-ab",
      queued_at: at.toISOString(),
      log_path: "1.log",
    });
    const later = new Date(at.getTime() + 5_000);
    expect(workerStartedTry(queuedTry, later, { pid: 501, hostname: "w1" })).toMatchObject({
      state: "running",
      start: later.toISOString(),
      pid: 501,
      hostname: "w1",
      job_id: "etl.extract.t1-ab",
    });
  });

  it("is held while queued or running with a job id, and not once ended or without one", () => {
    expect(isQueueHeld({ ...runOf(dag).tasks.extract!, ...queued })).toBe(true);
    expect(isQueueHeld({ ...runOf(dag).tasks.extract!, ...onWorker })).toBe(true);
    expect(isQueueHeld({ ...runOf(dag).tasks.extract!, ...runningTry(started) })).toBe(false);
    expect(isQueueHeld({ ...runOf(dag).tasks.extract!, ...queued, state: "failed" })).toBe(false);
  });

  it("is not lost when the process that queued it dies: beginRun leaves it to be adopted", () => {
    const run = runOf(dag, { extract: queued, audit: onWorker }, { state: "running", owner });
    const event = beginRun(dag, run, at, { pid: 99, hostname: "here" });
    expect(describeEvent(event).tasks).toEqual([]);
    expect(queueHeldTries(dag, run).map((ti) => ti.task_id)).toEqual(["audit", "extract"]);
  });

  it("keeps a run whose owner died queued (to resume and await it), while local tries are lost", () => {
    const run = runOf(
      dag,
      { extract: "success", load: runningTry(started), audit: onWorker },
      { state: "running", owner },
    );
    const event = recoverLostRun(dag, run, at);
    expect(describeEvent(event).tasks).toEqual([
      "load: failed (process lost: flow process 7 on box ended while the try was running)",
    ]);
    expect(event.run).toMatchObject({ state: "queued", owner: null });
  });

  it("keeps a run queued even when the queue-held try is all that is left", () => {
    const run = runOf(
      dag,
      { extract: "success", load: "success", audit: onWorker },
      { state: "running", owner },
    );
    const event = recoverLostRun(dag, run, at);
    expect(event.tasks).toEqual([]);
    expect(event.run?.state).toBe("queued");
  });
});
