import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fn } from "../../../src/api/index.js";
import type { Task } from "../../../src/api/definitions.js";
import { FunctionExecutor } from "../../../src/executors/function.js";
import {
  makeExecution,
  makeProject,
  resolverFor,
  runTry,
  sleep,
  type ExecutionOptions,
} from "./helpers.js";

function setUp(task: Task): { executor: FunctionExecutor; project: ExecutionOptions["project"] } {
  return { executor: new FunctionExecutor(resolverFor(task)), project: makeProject() };
}

const LINE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (INFO|WARN|ERROR) /;

describe("FunctionExecutor", () => {
  it("returns the function's JSON result and reports flow's own pid", async () => {
    const task = fn("count", async (ctx) => ({ day: ctx.ds, rows: [1, 2], ok: true, none: null }));
    const { executor, project } = setUp(task);
    const { outcome, pids } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toEqual({
      status: "success",
      result: { day: "2026-01-02", rows: [1, 2], ok: true, none: null },
    });
    expect(pids).toEqual([process.pid]);
  });

  it("succeeds without a result when the function returns nothing, and writes no log", async () => {
    const task = fn("noop", () => {});
    const { executor, project } = setUp(task);
    const execution = makeExecution(task, { project });
    const { outcome } = await runTry(executor, execution);
    expect(outcome).toEqual({ status: "success" });
    expect(existsSync(execution.logPath)).toBe(false);
  });

  it("gives the function its context: run fields, upstream results and pull()", async () => {
    const task = fn("load", (ctx) => ({
      run: [ctx.dagId, ctx.runId, ctx.taskId, ctx.tryNumber, ctx.dataIntervalEnd],
      upstream: ctx.upstream,
      pulled: ctx.pull("other") ?? "none",
      missing: ctx.pull("nope") ?? "none",
      region: ctx.params.region ?? "none",
    }));
    const { executor, project } = setUp(task);
    const results = { extract: { rows: 3 }, clean: "done", other: 7 };
    const execution = makeExecution(task, {
      project,
      results,
      upstream: ["extract", "clean", "skipped"],
    });
    const { outcome } = await runTry(executor, execution);
    expect(outcome).toEqual({
      status: "success",
      result: {
        run: ["demo", "manual__2026-01-02T00:00:00.000Z", "load", 1, "2026-01-03T00:00:00.000Z"],
        upstream: { extract: { rows: 3 }, clean: "done" },
        pulled: 7,
        missing: "none",
        region: "eu",
      },
    });
  });

  it("writes logger lines with time and level to the try's log", async () => {
    const task = fn("chatty", (ctx) => {
      ctx.log.info("loaded %d rows", 42, { table: "sales" });
      ctx.log.warn("slow");
      ctx.log.error("bad row");
    });
    const { executor, project } = setUp(task);
    const { log } = await runTry(executor, makeExecution(task, { project }));
    const lines = log.trimEnd().split("\n");
    expect(lines.map((line) => line.replace(LINE, "$1 "))).toEqual([
      "INFO loaded 42 rows { table: 'sales' }",
      "WARN slow",
      "ERROR bad row",
    ]);
    expect(lines.every((line) => LINE.test(line))).toBe(true);
  });

  it.each([
    [
      "a synchronous throw",
      () =>
        fn("t", () => {
          throw new Error("no rows for 2026-01-02\nmore detail");
        }),
    ],
    [
      "a rejected promise",
      () =>
        fn("t", async () => {
          await sleep(1);
          throw new Error("no rows for 2026-01-02\nmore detail");
        }),
    ],
  ])("fails with the first line of %s and logs the stack", async (_name, makeTask) => {
    const task = makeTask();
    const { executor, project } = setUp(task);
    const { outcome, log } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toEqual({
      status: "failed",
      error: "Error: no rows for 2026-01-02",
      retryable: true,
    });
    expect(log).toMatch(LINE);
    expect(log).toContain("Error: no rows for 2026-01-02\nmore detail\n    at ");
  });

  it("fails when something other than an Error is thrown", async () => {
    const task = fn("t", () => {
      throw "plain string";
    });
    const { executor, project } = setUp(task);
    const { outcome } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toMatchObject({ status: "failed", error: "thrown: plain string" });
  });

  it.each([
    ["a function", { x: () => 1 }, "$.x: a function"],
    ["a Date", { rows: [{ at: new Date(0) }] }, "$.rows[0].at: a Date, not a plain object"],
    ["a BigInt", 1n, "$: a BigInt"],
    ["NaN", [Number.NaN], "$[0]: NaN is not a JSON number"],
  ])("fails when the result holds %s", async (_name, value, problem) => {
    const task = fn("t", () => value);
    const { executor, project } = setUp(task);
    const { outcome } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toEqual({
      status: "failed",
      error: `result is not JSON-serialisable: ${problem}`,
      retryable: true,
    });
  });

  it("times out a function that ignores its signal, and aborts the signal", async () => {
    let aborted: boolean | undefined;
    const task = fn("stuck", async (ctx) => {
      await sleep(400);
      aborted = ctx.signal.aborted;
      return "too late";
    });
    const { executor, project } = setUp(task);
    const started = Date.now();
    const { outcome } = await runTry(executor, makeExecution(task, { project, timeoutMs: 100 }));
    expect(outcome).toEqual({
      status: "failed",
      error: "timed out after 100ms",
      timedOut: true,
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(350);
    await sleep(400);
    expect(aborted).toBe(true);
  });

  it("finishes within the timeout when the function is quick enough", async () => {
    const task = fn("quick", async () => {
      await sleep(10);
      return 1;
    });
    const { executor, project } = setUp(task);
    const { outcome } = await runTry(executor, makeExecution(task, { project, timeoutMs: 2000 }));
    expect(outcome).toEqual({ status: "success", result: 1 });
  });

  it("stops waiting when the run is cancelled, and aborts the task's signal", async () => {
    let seen: AbortSignal | undefined;
    const task = fn("waits", (ctx) => {
      seen = ctx.signal;
      return new Promise(() => {});
    });
    const { executor, project } = setUp(task);
    const controller = new AbortController();
    const running = runTry(
      executor,
      makeExecution(task, { project, signal: controller.signal, timeoutMs: 60_000 }),
    );
    await sleep(20);
    controller.abort();
    expect((await running).outcome).toEqual({
      status: "failed",
      error: "cancelled",
      retryable: true,
    });
    expect(seen?.aborted).toBe(true);
  });

  it("runs nothing when the run is already cancelled", async () => {
    let ran = false;
    const task = fn("never", () => {
      ran = true;
    });
    const { executor, project } = setUp(task);
    const { outcome, pids } = await runTry(
      executor,
      makeExecution(task, { project, signal: AbortSignal.abort() }),
    );
    expect(outcome).toMatchObject({ status: "failed", error: "cancelled" });
    expect([ran, pids]).toEqual([false, []]);
  });

  // Throughput is measured by `npm run bench` (W4); here: many tries in a row leave no state
  // behind (no file for a task that logs nothing).
  it("runs thousands of no-op tries in a row, creating no log file for them", async () => {
    const task = fn("noop", () => {});
    const { executor, project } = setUp(task);
    const execution = makeExecution(task, { project });
    for (let i = 0; i < 2_000; i++) {
      expect(await executor.execute(execution, () => {})).toEqual({ status: "success" });
    }
    expect(existsSync(execution.logPath)).toBe(false);
  });
});
