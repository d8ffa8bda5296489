import { describe, expect, it } from "vitest";
import type { RunFields, TaskInstance } from "../../../src/core/run.js";
import {
  failTry,
  finishRun,
  markTask,
  newRun,
  newTaskInstance,
  startRun,
  startTry,
  succeedTry,
} from "../../../src/core/transitions.js";
import { makeDag } from "./dag-fixture.js";

const dag = makeDag(
  { extract: { retries: 2, retryDelay: "1m" }, load: ["extract"] },
  { id: "etl", params: { region: "eu", limit: 5 } },
);
const extract = dag.tasks.get("extract")!;
const t0 = new Date("2026-01-02T00:00:00.000Z");
const t1 = new Date("2026-01-02T00:00:01.500Z");
const info = {
  error: "exit code 3",
  exitCode: 3,
  retryable: true,
  jitterKey: "etl#extract#2026-01-01#1",
};

describe("newTaskInstance and newRun", () => {
  it("a task instance starts empty, with max_tries = retries + 1", () => {
    expect(newTaskInstance(extract)).toEqual({
      task_id: "extract",
      state: "none",
      try_number: 0,
      max_tries: 3,
      start: null,
      end: null,
      duration_ms: null,
      exit_code: null,
      reason: null,
      pid: null,
      next_try_at: null,
      log_path: null,
    });
  });

  it("a run is queued with a task instance per task and run params over DAG params", () => {
    const run = newRun({
      dag,
      runId: "manual__2026-01-01T00:00:00+00:00",
      runType: "manual",
      logicalDate: new Date("2026-01-01T00:00:00Z"),
      dataIntervalStart: new Date("2026-01-01T00:00:00Z"),
      dataIntervalEnd: new Date("2026-01-01T00:00:00Z"),
      queuedAt: t0,
      params: { limit: 10 },
    });
    const { tasks, ...fields } = run;
    expect(fields).toEqual({
      dag_id: "etl",
      run_id: "manual__2026-01-01T00:00:00+00:00",
      run_type: "manual",
      logical_date: "2026-01-01T00:00:00.000Z",
      data_interval_start: "2026-01-01T00:00:00.000Z",
      data_interval_end: "2026-01-01T00:00:00.000Z",
      state: "queued",
      queued_at: "2026-01-02T00:00:00.000Z",
      start: null,
      end: null,
      reason: null,
      params: { region: "eu", limit: 10 },
      owner: null,
    });
    expect(Object.keys(tasks)).toEqual(["extract", "load"]);
    expect(tasks.load).toEqual(newTaskInstance(dag.tasks.get("load")!));
  });
});

describe("a try", () => {
  const running = startTry(newTaskInstance(extract), t0, {
    pid: 4242,
    logPath: "logs/extract/1.log",
  });

  it("starts: running, next try number, start set", () => {
    expect(running).toEqual({
      ...newTaskInstance(extract),
      state: "running",
      try_number: 1,
      start: "2026-01-02T00:00:00.000Z",
      pid: 4242,
      log_path: "logs/extract/1.log",
    });
  });

  it("a new try clears the previous one's end, reason, retry time and result", () => {
    const previous: TaskInstance = {
      ...running,
      state: "up_for_retry",
      end: "x",
      duration_ms: 5,
      exit_code: 1,
      reason: "boom",
      next_try_at: "y",
      result: { rows: 1 },
    };
    const next = startTry(previous, t1, { pid: null, logPath: null });
    expect(next).toEqual({
      ...newTaskInstance(extract),
      state: "running",
      try_number: 2,
      start: "2026-01-02T00:00:01.500Z",
    });
    expect("result" in next).toBe(false);
  });

  it("succeeds: end, duration, exit code and result; pid cleared", () => {
    expect(succeedTry(running, t1, { result: { rows: 3 }, exitCode: 0 })).toEqual({
      ...running,
      state: "success",
      end: "2026-01-02T00:00:01.500Z",
      duration_ms: 1_500,
      exit_code: 0,
      pid: null,
      result: { rows: 3 },
    });
  });

  it("succeeds without a result: no result key", () => {
    expect("result" in succeedTry(running, t1, {})).toBe(false);
  });

  it.each([
    [
      "tries remain: up_for_retry after retryDelay",
      1,
      true,
      "up_for_retry",
      "2026-01-02T00:01:01.500Z",
    ],
    ["last try: failed", 3, true, "failed", null],
    ["not retryable: failed at once", 1, false, "failed", null],
  ] as const)("fails, %s", (_name, tryNumber, retryable, state, nextTryAt) => {
    const ti = { ...running, try_number: tryNumber };
    expect(failTry(ti, extract, t1, { ...info, retryable })).toEqual({
      ...ti,
      state,
      end: "2026-01-02T00:00:01.500Z",
      duration_ms: 1_500,
      exit_code: 3,
      reason: "exit code 3",
      pid: null,
      next_try_at: nextTryAt,
    });
  });

  it("fails without a known start: duration null, exit code null when absent", () => {
    const failed = failTry({ ...running, start: null }, extract, t1, {
      error: "lost",
      retryable: false,
      jitterKey: "k",
    });
    expect([failed.duration_ms, failed.exit_code]).toEqual([null, null]);
  });

  it("max_tries on the instance wins over the spec's retries (a cleared task got more tries)", () => {
    const ti = { ...running, try_number: 3, max_tries: 5 };
    expect(failTry(ti, extract, t1, info).state).toBe("up_for_retry");
  });
});

describe("markTask", () => {
  it.each(["skipped", "upstream_failed"] as const)("sets %s with a reason", (state) => {
    const ti = newTaskInstance(extract);
    expect(markTask(ti, state, 'upstream task "a" failed')).toEqual({
      ...ti,
      state,
      reason: 'upstream task "a" failed',
    });
  });
});

describe("run transitions", () => {
  const fields: RunFields = {
    dag_id: "etl",
    run_id: "r",
    run_type: "manual",
    logical_date: "2026-01-01T00:00:00.000Z",
    data_interval_start: "2026-01-01T00:00:00.000Z",
    data_interval_end: "2026-01-01T00:00:00.000Z",
    state: "queued",
    queued_at: "2026-01-01T00:00:00.000Z",
    start: null,
    end: null,
    reason: null,
    params: {},
    owner: null,
  };
  const owner = { pid: 1, hostname: "box", heartbeat: "2026-01-02T00:00:00.000Z" };

  it("startRun sets running and start on the first start", () => {
    expect(startRun(fields, t0, owner)).toEqual({
      ...fields,
      state: "running",
      start: "2026-01-02T00:00:00.000Z",
      owner,
    });
  });

  it("startRun keeps the first start when resuming", () => {
    expect(startRun({ ...fields, start: "2026-01-01T12:00:00.000Z" }, t1, owner).start).toBe(
      "2026-01-01T12:00:00.000Z",
    );
  });

  it("finishRun sets state, end and reason and drops the owner", () => {
    const running = startRun(fields, t0, owner);
    expect(finishRun(running, t1, "failed", "deadlocked")).toEqual({
      ...running,
      state: "failed",
      end: "2026-01-02T00:00:01.500Z",
      reason: "deadlocked",
      owner: null,
    });
  });

  it("run transitions keep the task instances of a full run", () => {
    const run = newRun({
      dag,
      runId: "r",
      runType: "manual",
      logicalDate: t0,
      dataIntervalStart: t0,
      dataIntervalEnd: t0,
      queuedAt: t0,
      params: {},
    });
    expect(finishRun(startRun(run, t0, owner), t1, "success", null).tasks).toBe(run.tasks);
  });
});
