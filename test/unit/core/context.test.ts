import { describe, expect, it } from "vitest";
import { buildRunContext, contextEnv, formatRunId } from "../../../src/core/context.js";
import { neighboursOf } from "../../../src/core/dag-timetable.js";
import { newRun } from "../../../src/core/transitions.js";
import { makeDag } from "./dag-fixture.js";

const dag = makeDag({ extract: [], load: ["extract"] }, { id: "etl", params: { region: "eu" } });
const run = newRun({
  dag,
  runId: "scheduled__2026-01-01T00:00:00+00:00",
  runType: "scheduled",
  logicalDate: new Date("2026-01-01T00:00:00Z"),
  dataIntervalStart: new Date("2026-01-01T00:00:00Z"),
  dataIntervalEnd: new Date("2026-01-02T00:00:00Z"),
  queuedAt: new Date("2026-01-02T00:00:05Z"),
  params: { limit: 10 },
});

describe("buildRunContext", () => {
  it("derives Airflow's date forms from the logical date in UTC", () => {
    expect(buildRunContext(run, "load", 2, 3)).toEqual({
      dagId: "etl",
      runId: "scheduled__2026-01-01T00:00:00+00:00",
      runType: "scheduled",
      taskId: "load",
      tryNumber: 2,
      maxTries: 3,
      logicalDate: "2026-01-01T00:00:00.000Z",
      ds: "2026-01-01",
      dsNodash: "20260101",
      ts: "2026-01-01T00:00:00+00:00",
      tsNodash: "20260101T000000",
      dataIntervalStart: "2026-01-01T00:00:00.000Z",
      dataIntervalEnd: "2026-01-02T00:00:00.000Z",
      prevDataIntervalStart: null,
      prevDataIntervalEnd: null,
      nextDataIntervalStart: null,
      nextDataIntervalEnd: null,
      params: { region: "eu", limit: 10 },
    });
  });

  it("drops milliseconds from ts and reads a non-UTC stored date in UTC", () => {
    const ctx = buildRunContext(
      { ...run, logical_date: "2026-03-04T23:30:15.250-02:00" },
      "load",
      1,
      1,
    );
    expect([ctx.logicalDate, ctx.ds, ctx.ts, ctx.tsNodash]).toEqual([
      "2026-03-05T01:30:15.250Z",
      "2026-03-05",
      "2026-03-05T01:30:15+00:00",
      "20260305T013015",
    ]);
  });
});

describe("the intervals around a run", () => {
  const daily = makeDag({ a: [] }, { id: "daily", schedule: "@daily", start: "2026-01-01" });
  it("come from the DAG's schedule: the day before and the day after", () => {
    const ctx = buildRunContext(run, "load", 1, 1, neighboursOf(daily, run));
    expect([
      ctx.prevDataIntervalStart,
      ctx.prevDataIntervalEnd,
      ctx.nextDataIntervalStart,
      ctx.nextDataIntervalEnd,
    ]).toEqual([
      "2025-12-31T00:00:00.000Z",
      "2026-01-01T00:00:00.000Z",
      "2026-01-02T00:00:00.000Z",
      "2026-01-03T00:00:00.000Z",
    ]);
    expect(contextEnv(ctx)).toMatchObject({
      FLOW_PREV_DATA_INTERVAL_START: "2025-12-31T00:00:00.000Z",
      FLOW_NEXT_DATA_INTERVAL_END: "2026-01-03T00:00:00.000Z",
    });
  });

  it("are null, and not in the environment, for a DAG without a schedule", () => {
    const ctx = buildRunContext(run, "load", 1, 1, neighboursOf(dag, run));
    expect(ctx.prevDataIntervalStart).toBeNull();
    expect(Object.keys(contextEnv(ctx)).filter((key) => /PREV|NEXT/.test(key))).toEqual([]);
  });
});

describe("contextEnv", () => {
  it("gives every FLOW_* variable as a string", () => {
    expect(contextEnv(buildRunContext(run, "load", 1, 2))).toEqual({
      FLOW_DAG_ID: "etl",
      FLOW_RUN_ID: "scheduled__2026-01-01T00:00:00+00:00",
      FLOW_RUN_TYPE: "scheduled",
      FLOW_TASK_ID: "load",
      FLOW_TRY_NUMBER: "1",
      FLOW_MAX_TRIES: "2",
      FLOW_LOGICAL_DATE: "2026-01-01T00:00:00.000Z",
      FLOW_DS: "2026-01-01",
      FLOW_DS_NODASH: "20260101",
      FLOW_TS: "2026-01-01T00:00:00+00:00",
      FLOW_TS_NODASH: "20260101T000000",
      FLOW_DATA_INTERVAL_START: "2026-01-01T00:00:00.000Z",
      FLOW_DATA_INTERVAL_END: "2026-01-02T00:00:00.000Z",
      FLOW_PARAMS: '{"region":"eu","limit":10}',
    });
  });
});

describe("formatRunId", () => {
  it.each([
    ["manual", "manual", "2026-01-01T00:00:00.000Z", false, "manual__2026-01-01T00:00:00+00:00"],
    [
      "scheduled drops ms",
      "scheduled",
      "2026-01-01T06:30:00.123Z",
      false,
      "scheduled__2026-01-01T06:30:00+00:00",
    ],
    [
      "backfill",
      "backfill",
      "2025-12-31T00:00:00.000Z",
      false,
      "backfill__2025-12-31T00:00:00+00:00",
    ],
    [
      "manual with millis",
      "manual",
      "2026-01-01T00:00:00.123Z",
      true,
      "manual__2026-01-01T00:00:00.123+00:00",
    ],
  ] as const)("%s", (_name, runType, date, withMillis, expected) => {
    expect(formatRunId(runType, new Date(date), withMillis)).toBe(expected);
  });
});
