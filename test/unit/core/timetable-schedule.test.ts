import { describe, expect, it } from "vitest";
import {
  intervalsBetween,
  manualRunInterval,
  neighbouringIntervals,
  requestedRunInterval,
} from "../../../src/core/timetable-intervals.js";
import {
  dueIntervals,
  nextScheduledRun,
  upcomingRuns,
} from "../../../src/core/timetable-next-run.js";
import { interval, span, timetable } from "./timetable-helpers.js";

const at = (iso: string): Date => new Date(`${iso}Z`);

interface Row {
  schedule?: string;
  start?: string;
  end?: string | null;
  last?: string | null;
  catchup: boolean;
  now: string;
}

function query(row: Row) {
  const start = row.start ?? "2021-01-01T00:00";
  return {
    table: timetable(row.schedule ?? "@daily", `${start}Z`),
    query: {
      lastAutomatedInterval: row.last ? interval(row.last) : null,
      earliest: at(start),
      latest: row.end ? at(row.end) : null,
      catchup: row.catchup,
      now: at(row.now),
    },
  };
}

// Airflow's example: @daily, start 2021-01-01, now 2021-01-04 06:00.
describe("dueIntervals: what one scheduler pass creates", () => {
  it.each<[string, Row, string[]]>([
    [
      "catchup on: every missed day",
      { catchup: true, now: "2021-01-04T06:00" },
      [
        "2021-01-01T00:00/2021-01-02T00:00",
        "2021-01-02T00:00/2021-01-03T00:00",
        "2021-01-03T00:00/2021-01-04T00:00",
      ],
    ],
    [
      "catchup off: only the latest complete day",
      { catchup: false, now: "2021-01-04T06:00" },
      ["2021-01-03T00:00/2021-01-04T00:00"],
    ],
    [
      "catchup on after a run: from its end",
      { catchup: true, now: "2021-01-04T06:00", last: "2021-01-01T00:00/2021-01-02T00:00" },
      ["2021-01-02T00:00/2021-01-03T00:00", "2021-01-03T00:00/2021-01-04T00:00"],
    ],
    [
      "catchup off after a long pause: missed days skipped",
      { catchup: false, now: "2021-01-04T06:00", last: "2020-06-01T00:00/2020-06-02T00:00" },
      ["2021-01-03T00:00/2021-01-04T00:00"],
    ],
    [
      "everything created already: nothing",
      { catchup: true, now: "2021-01-04T06:00", last: "2021-01-03T00:00/2021-01-04T00:00" },
      [],
    ],
    [
      "now exactly at an interval's end: that interval is due",
      { catchup: false, now: "2021-01-04T00:00" },
      ["2021-01-03T00:00/2021-01-04T00:00"],
    ],
    [
      "a second before the end: not yet",
      { catchup: false, now: "2021-01-03T23:59:59" },
      ["2021-01-02T00:00/2021-01-03T00:00"],
    ],
    ["before the first interval ends: nothing", { catchup: true, now: "2021-01-01T23:00" }, []],
    [
      "start in the future: nothing",
      { catchup: false, start: "2021-02-01T00:00", now: "2021-01-04T06:00" },
      [],
    ],
    [
      "start after the latest complete interval, off: waits for the first",
      { catchup: false, start: "2021-01-03T12:00", now: "2021-01-04T06:00" },
      [],
    ],
    [
      "start not on a tick moves to the next midnight",
      { catchup: true, start: "2021-01-01T10:00", now: "2021-01-04T06:00" },
      ["2021-01-02T00:00/2021-01-03T00:00", "2021-01-03T00:00/2021-01-04T00:00"],
    ],
    [
      "end bounds the logical date, inclusive",
      { catchup: true, end: "2021-01-02T00:00", now: "2021-01-04T06:00" },
      ["2021-01-01T00:00/2021-01-02T00:00", "2021-01-02T00:00/2021-01-03T00:00"],
    ],
    [
      "end just before a logical date excludes it",
      { catchup: true, end: "2021-01-01T23:59", now: "2021-01-04T06:00" },
      ["2021-01-01T00:00/2021-01-02T00:00"],
    ],
    [
      "catchup off and end passed: nothing",
      { catchup: false, end: "2021-01-02T00:00", now: "2021-01-04T06:00" },
      [],
    ],
    [
      "6h from 01:00, catchup on",
      { schedule: "6h", start: "2021-01-01T01:00", catchup: true, now: "2021-01-02T02:00" },
      [
        "2021-01-01T01:00/2021-01-01T07:00",
        "2021-01-01T07:00/2021-01-01T13:00",
        "2021-01-01T13:00/2021-01-01T19:00",
        "2021-01-01T19:00/2021-01-02T01:00",
      ],
    ],
    [
      "6h from 01:00, catchup off: stays aligned on start",
      { schedule: "6h", start: "2021-01-01T01:00", catchup: false, now: "2021-01-02T02:00" },
      ["2021-01-01T19:00/2021-01-02T01:00"],
    ],
    [
      "@once before its start: nothing",
      { schedule: "@once", start: "2021-01-05T12:00", catchup: false, now: "2021-01-04T06:00" },
      [],
    ],
    [
      "@once at its start, even with catchup off",
      { schedule: "@once", start: "2021-01-01T12:00", catchup: false, now: "2021-01-04T06:00" },
      ["2021-01-01T12:00/2021-01-01T12:00"],
    ],
    [
      "@once already run: nothing",
      {
        schedule: "@once",
        start: "2021-01-01T12:00",
        catchup: true,
        now: "2021-01-04T06:00",
        last: "2021-01-01T12:00/2021-01-01T12:00",
      },
      [],
    ],
  ])("%s", (_name, row, expected) => {
    const { table, query: q } = query(row);
    expect(dueIntervals(table, q).map((run) => span(run.interval))).toEqual(expected);
  });

  it("stops at the limit, oldest first", () => {
    const { table, query: q } = query({ catchup: true, now: "2021-01-04T06:00" });
    expect(dueIntervals(table, { ...q, limit: 2 }).map((run) => span(run.interval))).toEqual([
      "2021-01-01T00:00/2021-01-02T00:00",
      "2021-01-02T00:00/2021-01-03T00:00",
    ]);
  });
});

// Cases from Airflow's tests/unit/timetables/test_interval_timetable.py (now 2021-09-07 00:00).
describe("nextScheduledRun, as Airflow's next_dagrun_info", () => {
  it.each<[string, string, Row & { earliest?: string | null }, string | null]>([
    [
      "no catchup, first run: starts at the first tick after start (not yet due)",
      "30 16 * * *",
      { start: "2021-09-06T00:00", catchup: false, now: "2021-09-07T00:00" },
      "2021-09-06T16:30/2021-09-07T16:30",
    ],
    [
      "no catchup, after an exact interval: the same",
      "30 16 * * *",
      {
        start: "2021-09-06T00:00",
        catchup: false,
        now: "2021-09-07T00:00",
        last: "2021-09-05T00:00/2021-09-05T00:00",
      },
      "2021-09-06T16:30/2021-09-07T16:30",
    ],
    [
      "hourly cron, no catchup: the interval ending now",
      "@hourly",
      {
        start: "2021-09-04T00:00",
        catchup: false,
        now: "2021-09-07T00:00",
        last: "2021-09-04T00:00/2021-09-05T00:00",
      },
      "2021-09-06T23:00/2021-09-07T00:00",
    ],
    [
      "1h interval, no catchup: the interval ending now",
      "1h",
      {
        start: "2021-09-04T00:00",
        catchup: false,
        now: "2021-09-07T00:00",
        last: "2021-09-04T00:00/2021-09-05T00:00",
      },
      "2021-09-06T23:00/2021-09-07T00:00",
    ],
    [
      "hourly cron, catchup: from the previous end",
      "@hourly",
      {
        start: "2021-09-04T00:00",
        catchup: true,
        now: "2021-09-07T00:00",
        last: "2021-09-04T00:00/2021-09-05T00:00",
      },
      "2021-09-05T00:00/2021-09-05T01:00",
    ],
    [
      "1h interval, catchup: from the previous end",
      "1h",
      {
        start: "2021-09-04T00:00",
        catchup: true,
        now: "2021-09-07T00:00",
        last: "2021-09-04T00:00/2021-09-05T00:00",
      },
      "2021-09-05T00:00/2021-09-05T01:00",
    ],
    [
      "@daily after an aligned interval",
      "@daily",
      {
        earliest: null,
        catchup: true,
        now: "2022-08-10T00:00",
        last: "2022-08-07T00:00/2022-08-08T00:00",
      },
      "2022-08-08T00:00/2022-08-09T00:00",
    ],
    [
      "@daily after an interval of an older schedule: aligned back",
      "@daily",
      {
        earliest: null,
        catchup: true,
        now: "2022-08-10T00:00",
        last: "2022-08-07T01:00/2022-08-08T01:00",
      },
      "2022-08-08T00:00/2022-08-09T00:00",
    ],
    [
      "past the end date: none",
      "@daily",
      {
        catchup: true,
        end: "2021-01-02T00:00",
        now: "2021-01-10T00:00",
        last: "2021-01-02T00:00/2021-01-03T00:00",
      },
      null,
    ],
  ])("%s", (_name, schedule, row, expected) => {
    const { table, query: q } = query({ ...row, schedule });
    const earliest = row.earliest === null ? null : q.earliest;
    const run = nextScheduledRun(table, { ...q, earliest });
    expect(run && span(run.interval)).toBe(expected);
    if (run) expect(run.runAfter).toEqual(run.interval.end);
  });

  it("runs @once at its start", () => {
    const { table, query: q } = query({
      schedule: "@once",
      start: "2021-01-05T12:00",
      catchup: false,
      now: "2021-01-01T00:00",
    });
    expect(nextScheduledRun(table, q)).toEqual({
      interval: { start: at("2021-01-05T12:00"), end: at("2021-01-05T12:00") },
      runAfter: at("2021-01-05T12:00"),
    });
  });

  // Airflow's TestCronIntervalDst: Zurich, 2023 (in on 26 Mar at 02:00, out on 29 Oct at 03:00).
  it.each([
    [
      "entering, 03:00 exists",
      "0 3 * * *",
      "2023-03-24T02:00/2023-03-25T02:00",
      ["2023-03-25T02:00/2023-03-26T01:00", "2023-03-26T01:00/2023-03-27T01:00"],
    ],
    [
      "entering, 02:00 skipped to 03:00",
      "0 2 * * *",
      "2023-03-24T01:00/2023-03-25T01:00",
      ["2023-03-25T01:00/2023-03-26T01:00", "2023-03-26T01:00/2023-03-27T00:00"],
    ],
    [
      "exiting, 03:00 after the fold",
      "0 3 * * *",
      "2023-10-27T01:00/2023-10-28T01:00",
      ["2023-10-28T01:00/2023-10-29T02:00", "2023-10-29T02:00/2023-10-30T02:00"],
    ],
    [
      "exiting, 02:00 in the fold: the later one",
      "0 2 * * *",
      "2023-10-27T00:00/2023-10-28T00:00",
      ["2023-10-28T00:00/2023-10-29T01:00", "2023-10-29T01:00/2023-10-30T01:00"],
    ],
  ])("Zurich DST %s", (_name, schedule, last, expected) => {
    const table = timetable(schedule, "2023-03-24T00:00:00Z", "Europe/Zurich");
    const runs = upcomingRuns(table, {
      lastAutomatedInterval: interval(last),
      earliest: at("2023-03-24T00:00"),
      latest: null,
      catchup: true,
      now: at("2023-01-01T00:00"),
      count: 2,
    });
    expect(runs.map((run) => span(run.interval))).toEqual(expected);
  });
});

describe("upcomingRuns: flow next", () => {
  it.each<[string, Row, number, string[]]>([
    [
      "catchup on: the backlog first, then the future",
      { catchup: true, now: "2021-01-02T06:00" },
      3,
      [
        "2021-01-01T00:00/2021-01-02T00:00",
        "2021-01-02T00:00/2021-01-03T00:00",
        "2021-01-03T00:00/2021-01-04T00:00",
      ],
    ],
    [
      "catchup off: the latest complete, then the future",
      { catchup: false, now: "2021-01-04T06:00" },
      2,
      ["2021-01-03T00:00/2021-01-04T00:00", "2021-01-04T00:00/2021-01-05T00:00"],
    ],
    [
      "stops at the end date",
      { catchup: true, end: "2021-01-02T00:00", now: "2021-01-01T00:00" },
      5,
      ["2021-01-01T00:00/2021-01-02T00:00", "2021-01-02T00:00/2021-01-03T00:00"],
    ],
    [
      "@once: one",
      { schedule: "@once", start: "2021-01-05T12:00", catchup: false, now: "2021-01-01T00:00" },
      3,
      ["2021-01-05T12:00/2021-01-05T12:00"],
    ],
  ])("%s", (_name, row, count, expected) => {
    const { table, query: q } = query(row);
    expect(upcomingRuns(table, { ...q, count }).map((run) => span(run.interval))).toEqual(expected);
  });
});

describe("intervalsBetween: backfill's plan, both ends inclusive", () => {
  it.each([
    [
      "@daily 01-01..01-05: five runs",
      "@daily",
      "2021-01-01T00:00",
      "2021-01-05T00:00",
      5,
      "2021-01-01T00:00/2021-01-02T00:00",
      "2021-01-05T00:00/2021-01-06T00:00",
    ],
    [
      "a start between ticks moves forward",
      "@daily",
      "2021-01-01T06:00",
      "2021-01-05T00:00",
      4,
      "2021-01-02T00:00/2021-01-03T00:00",
      "2021-01-05T00:00/2021-01-06T00:00",
    ],
    [
      "an end between ticks keeps the tick before it",
      "@daily",
      "2021-01-01T00:00",
      "2021-01-05T23:00",
      5,
      "2021-01-01T00:00/2021-01-02T00:00",
      "2021-01-05T00:00/2021-01-06T00:00",
    ],
    [
      "@monthly over a year",
      "@monthly",
      "2021-01-15T00:00",
      "2021-12-31T00:00",
      11,
      "2021-02-01T00:00/2021-03-01T00:00",
      "2021-12-01T00:00/2022-01-01T00:00",
    ],
    [
      "6h aligned on the DAG's start (01:00), also before it",
      "6h",
      "2020-12-31T00:00",
      "2020-12-31T12:00",
      2,
      "2020-12-31T01:00/2020-12-31T07:00",
      "2020-12-31T07:00/2020-12-31T13:00",
    ],
    [
      "@once inside the range",
      "@once",
      "2020-12-01T00:00",
      "2021-02-01T00:00",
      1,
      "2021-01-01T01:00/2021-01-01T01:00",
      "2021-01-01T01:00/2021-01-01T01:00",
    ],
  ])("%s", (_name, schedule, from, to, count, first, last) => {
    const intervals = intervalsBetween(
      timetable(schedule, "2021-01-01T01:00:00Z"),
      at(from),
      at(to),
    );
    const spans = intervals.map(span);
    expect([spans.length, spans[0], spans.at(-1)]).toEqual([count, first, last]);
  });

  it.each([
    ["start after end", "@daily", "2021-01-05T00:00", "2021-01-01T00:00"],
    ["no tick in range", "@monthly", "2021-01-02T00:00", "2021-01-31T00:00"],
    ["@once outside the range", "@once", "2021-02-01T00:00", "2021-03-01T00:00"],
  ])("is empty: %s", (_name, schedule, from, to) => {
    expect(intervalsBetween(timetable(schedule, "2021-01-01T01:00:00Z"), at(from), at(to))).toEqual(
      [],
    );
  });
});

describe("manual runs", () => {
  it.each([
    [
      "@daily between ticks: the day before",
      "@daily",
      "2022-08-08T01:00",
      "2022-08-07T00:00/2022-08-08T00:00",
    ],
    [
      "@daily on a tick: still the day that just ended",
      "@daily",
      "2022-08-08T00:00",
      "2022-08-07T00:00/2022-08-08T00:00",
    ],
    [
      "@hourly: the last full hour",
      "@hourly",
      "2022-08-08T10:30",
      "2022-08-08T09:00/2022-08-08T10:00",
    ],
    [
      "a fixed interval: [t - interval, t]",
      "6h",
      "2022-08-08T10:30",
      "2022-08-08T04:30/2022-08-08T10:30",
    ],
    ["@once: [t, t]", "@once", "2022-08-08T10:30", "2022-08-08T10:30/2022-08-08T10:30"],
  ])("Airflow's inferred interval, %s", (_name, schedule, trigger, expected) => {
    expect(span(manualRunInterval(timetable(schedule, "2021-01-01T00:00:00Z"), at(trigger)))).toBe(
      expected,
    );
  });

  it("no schedule: [t, t]", () => {
    expect(span(manualRunInterval(null, at("2022-08-08T10:30")))).toBe(
      "2022-08-08T10:30/2022-08-08T10:30",
    );
    expect(span(requestedRunInterval(null, at("2022-08-08T10:30")))).toBe(
      "2022-08-08T10:30/2022-08-08T10:30",
    );
  });

  it.each([
    [
      "@daily, a date on the tick: that day",
      "@daily",
      "UTC",
      "2026-01-05T00:00",
      "2026-01-05T00:00/2026-01-06T00:00",
    ],
    [
      "@daily, a time within the day: that day",
      "@daily",
      "UTC",
      "2026-01-05T13:00",
      "2026-01-05T00:00/2026-01-06T00:00",
    ],
    [
      "@hourly at 10:30: 10:00-11:00",
      "@hourly",
      "UTC",
      "2026-01-05T10:30",
      "2026-01-05T10:00/2026-01-05T11:00",
    ],
    [
      "6h anchored at 00:00, 07:00: 06:00-12:00",
      "6h",
      "UTC",
      "2026-01-05T07:00",
      "2026-01-05T06:00/2026-01-05T12:00",
    ],
    [
      "@daily in Paris, midnight Paris",
      "@daily",
      "Europe/Paris",
      "2026-01-04T23:00",
      "2026-01-04T23:00/2026-01-05T23:00",
    ],
    ["@once: [D, D]", "@once", "UTC", "2026-01-05T10:30", "2026-01-05T10:30/2026-01-05T10:30"],
  ])("a date the user gave (--date), %s", (_name, schedule, timezone, date, expected) => {
    expect(
      span(requestedRunInterval(timetable(schedule, "2021-01-01T00:00:00Z", timezone), at(date))),
    ).toBe(expected);
  });
});

describe("neighbouringIntervals", () => {
  it.each([
    [
      "@daily",
      "@daily",
      "2021-01-02T00:00/2021-01-03T00:00",
      ["2021-01-01T00:00/2021-01-02T00:00", "2021-01-03T00:00/2021-01-04T00:00"],
    ],
    [
      "@monthly across a year end",
      "@monthly",
      "2021-12-01T00:00/2022-01-01T00:00",
      ["2021-11-01T00:00/2021-12-01T00:00", "2022-01-01T00:00/2022-02-01T00:00"],
    ],
    [
      "6h",
      "6h",
      "2021-01-01T06:00/2021-01-01T12:00",
      ["2021-01-01T00:00/2021-01-01T06:00", "2021-01-01T12:00/2021-01-01T18:00"],
    ],
  ])("%s", (_name, schedule, current, [previous, next]) => {
    const around = neighbouringIntervals(
      timetable(schedule, "2021-01-01T00:00:00Z"),
      interval(current),
    );
    expect([around.previous && span(around.previous), around.next && span(around.next)]).toEqual([
      previous,
      next,
    ]);
  });

  it("@once has none", () => {
    const once = timetable("@once", "2021-01-01T00:00:00Z");
    expect(neighbouringIntervals(once, interval("2021-01-01T00:00/2021-01-01T00:00"))).toEqual({
      previous: null,
      next: null,
    });
  });
});
