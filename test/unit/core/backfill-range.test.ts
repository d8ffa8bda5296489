import { describe, expect, it } from "vitest";
import { parseTimetable, type Timetable } from "../../../src/core/timetable.js";
import { backfillRange, type BackfillRangeRequest } from "../../../src/core/backfill-range.js";

function timetable(schedule: string, start = "2026-01-01T00:00:00Z", timezone = "UTC"): Timetable {
  const result = parseTimetable({ schedule, start, timezone });
  if (!result.ok || result.timetable === null) throw new Error(`bad schedule ${schedule}`);
  return result.timetable;
}

const at = (iso: string): Date => new Date(iso);
const LATER = at("2027-01-01T00:00:00Z");

interface Row {
  name: string;
  schedule: string;
  timezone?: string;
  request: Partial<BackfillRangeRequest> & Pick<BackfillRangeRequest, "start" | "end">;
  starts: string[];
  left?: { beforeDagStart?: number; afterDagEnd?: number; notEnded?: number };
}

const rows: Row[] = [
  {
    name: "@daily: both ends inclusive",
    schedule: "@daily",
    request: { start: at("2026-01-01T00:00:00Z"), end: at("2026-01-03T00:00:00Z") },
    starts: ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"],
  },
  {
    name: "@daily: a start between ticks moves to the next tick",
    schedule: "@daily",
    request: { start: at("2026-01-01T06:00:00Z"), end: at("2026-01-03T00:00:00Z") },
    starts: ["2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"],
  },
  {
    name: "start == end on a tick: one interval",
    schedule: "@daily",
    request: { start: at("2026-01-02T00:00:00Z"), end: at("2026-01-02T00:00:00Z") },
    starts: ["2026-01-02T00:00:00.000Z"],
  },
  {
    name: "before the DAG's start: left out and counted",
    schedule: "@daily",
    request: {
      start: at("2025-12-30T00:00:00Z"),
      end: at("2026-01-02T00:00:00Z"),
      dagStart: at("2026-01-01T00:00:00Z"),
    },
    starts: ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"],
    left: { beforeDagStart: 2 },
  },
  {
    name: "after the DAG's end (inclusive bound): left out and counted",
    schedule: "@daily",
    request: {
      start: at("2026-01-01T00:00:00Z"),
      end: at("2026-01-05T00:00:00Z"),
      dagEnd: at("2026-01-03T00:00:00Z"),
    },
    starts: ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"],
    left: { afterDagEnd: 2 },
  },
  {
    name: "an interval ending exactly now is complete; later ones are not",
    schedule: "@daily",
    request: {
      start: at("2026-01-01T00:00:00Z"),
      end: at("2026-01-04T00:00:00Z"),
      now: at("2026-01-03T00:00:00Z"),
    },
    starts: ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"],
    left: { notEnded: 2 },
  },
  {
    name: "@monthly: no tick in range gives nothing",
    schedule: "@monthly",
    request: { start: at("2026-01-02T00:00:00Z"), end: at("2026-01-31T00:00:00Z") },
    starts: [],
  },
  {
    name: "fixed interval 12h anchored on the DAG's start",
    schedule: "12h",
    request: { start: at("2026-01-01T00:00:00Z"), end: at("2026-01-01T23:00:00Z") },
    starts: ["2026-01-01T00:00:00.000Z", "2026-01-01T12:00:00.000Z"],
  },
  {
    name: "@daily in Europe/Paris: local midnights",
    schedule: "@daily",
    timezone: "Europe/Paris",
    request: { start: at("2025-12-31T23:00:00Z"), end: at("2026-01-01T23:00:00Z") },
    starts: ["2025-12-31T23:00:00.000Z", "2026-01-01T23:00:00.000Z"],
  },
];

describe("backfillRange", () => {
  it.each(rows)("$name", ({ schedule, timezone, request, starts, left }) => {
    const range = backfillRange(timetable(schedule, "2026-01-01T00:00:00Z", timezone), {
      dagStart: null,
      dagEnd: null,
      now: LATER,
      ...request,
    });
    expect(range.intervals.map((interval) => interval.start.toISOString())).toEqual(starts);
    expect({
      beforeDagStart: range.beforeDagStart,
      afterDagEnd: range.afterDagEnd,
      notEnded: range.notEnded,
    }).toEqual({ beforeDagStart: 0, afterDagEnd: 0, notEnded: 0, ...left });
  });

  it("gives each interval its schedule end", () => {
    const range = backfillRange(timetable("@daily"), {
      start: at("2026-01-01T00:00:00Z"),
      end: at("2026-01-01T00:00:00Z"),
      dagStart: null,
      dagEnd: null,
      now: LATER,
    });
    expect(range.intervals[0]?.end.toISOString()).toBe("2026-01-02T00:00:00.000Z");
  });
});
