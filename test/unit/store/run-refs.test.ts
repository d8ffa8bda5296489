import { describe, expect, it } from "vitest";
import { formatRunId } from "../../../src/core/context.js";
import { parseRunRef, sortRunRefs } from "../../../src/store/run-refs.js";

describe("parseRunRef", () => {
  it.each([
    [
      "a scheduled run",
      "scheduled__2026-01-01T00:00:00+00:00",
      { run_type: "scheduled", logical_date: "2026-01-01T00:00:00.000Z" },
    ],
    [
      "a backfill run",
      "backfill__2025-12-31T06:30:15+00:00",
      { run_type: "backfill", logical_date: "2025-12-31T06:30:15.000Z" },
    ],
    [
      "a manual run without --date (milliseconds)",
      "manual__2026-03-04T10:11:12.345+00:00",
      { run_type: "manual", logical_date: "2026-03-04T10:11:12.345Z" },
    ],
  ])("%s: type and logical date from the name", (_name, runId, expected) => {
    expect(parseRunRef(runId)).toEqual({ run_id: runId, ...expected });
  });

  it.each([
    ["an id made by hand", "my_rerun"],
    ["an unknown run type", "dataset_triggered__2026-01-01T00:00:00+00:00"],
    ["another offset", "manual__2026-01-01T00:00:00+01:00"],
    ["Z instead of +00:00", "manual__2026-01-01T00:00:00.000Z"],
    ["a date Date would roll over", "scheduled__2026-02-30T00:00:00+00:00"],
    ["an hour past 23", "scheduled__2026-01-01T24:00:00+00:00"],
    ["a date only", "scheduled__2026-01-01"],
    ["extra text after the id", "scheduled__2026-01-01T00:00:00+00:00.bak"],
  ])("%s: undefined (the caller reads the file)", (_name, runId) => {
    expect(parseRunRef(runId)).toBeUndefined();
  });

  it.each([
    ["scheduled", new Date("2026-05-06T07:08:09.000Z"), false],
    ["backfill", new Date("2026-05-06T00:00:00.000Z"), false],
    ["manual", new Date("2026-05-06T07:08:09.123Z"), true],
  ] as const)(
    "round-trips formatRunId (%s): the ref's logical date is the stored one",
    (type, date, millis) => {
      expect(parseRunRef(formatRunId(type, date, millis))?.logical_date).toBe(date.toISOString());
    },
  );
});

describe("sortRunRefs", () => {
  it("orders by logical date, then run id, as listRuns does", () => {
    const ref = (run_id: string, logical_date: string) => ({ run_id, logical_date });
    const refs = [
      ref("scheduled__b", "2026-01-02T00:00:00.000Z"),
      ref("manual__z", "2026-01-01T00:00:00.000Z"),
      ref("backfill__a", "2026-01-02T00:00:00.000Z"),
    ];
    expect(sortRunRefs(refs).map((r) => r.run_id)).toEqual([
      "manual__z",
      "backfill__a",
      "scheduled__b",
    ]);
  });
});
