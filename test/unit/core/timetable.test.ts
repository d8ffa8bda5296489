import { describe, expect, it } from "vitest";
import { parseTimetable } from "../../../src/core/timetable.js";
import { firstIntervals } from "./timetable-helpers.js";

describe("parseTimetable", () => {
  it.each([
    ["a preset", "@daily", { kind: "cron", expression: "0 0 * * *", everyOccurrence: false }],
    ["@midnight, croniter's alias", "@midnight", { kind: "cron", expression: "0 0 * * *" }],
    ["@annually, croniter's alias", "@annually", { kind: "cron", expression: "0 0 1 1 *" }],
    ["@quarterly", "@quarterly", { kind: "cron", expression: "0 0 1 */3 *" }],
    ["a preset in capitals", "@WEEKLY", { kind: "cron", expression: "0 0 * * 0" }],
    ["@hourly runs every hour", "@hourly", { kind: "cron", everyOccurrence: true }],
    [
      "a cron expression, spaces squeezed",
      " 0  6 * * 1-5 ",
      { kind: "cron", expression: "0 6 * * 1-5" },
    ],
    ["a fixed interval", "6h", { kind: "interval", everyMs: 21_600_000 }],
    ["a fixed interval in two units", "1h30m", { kind: "interval", everyMs: 5_400_000 }],
    ["@once", "@once", { kind: "once", at: new Date("2026-01-01T00:00:00Z") }],
  ])("%s: %j", (_name, schedule, expected) => {
    const result = parseTimetable({ schedule, start: "2026-01-01T00:00:00.000Z", timezone: "UTC" });
    expect(result.ok && result.timetable).toMatchObject(expected);
  });

  it("reads no schedule as manual runs only", () => {
    expect(parseTimetable({ schedule: null, start: undefined, timezone: "UTC" })).toEqual({
      ok: true,
      timetable: null,
    });
  });

  it.each([
    [
      "a minute out of range",
      "61 * * * *",
      'invalid schedule "61 * * * *": minute field "61": Constraint error, got value 61 expected range 0-59',
    ],
    [
      "a weekday out of range",
      "0 0 * * 8",
      'invalid schedule "0 0 * * 8": day-of-week field "8": Constraint error, got value 8 expected range 0-7',
    ],
    [
      "a zero step",
      "*/0 * * * *",
      'invalid schedule "*/0 * * * *": minute field "*/0": Constraint error, cannot repeat at every 0 time.',
    ],
    [
      "a day that never comes",
      "0 0 30 2 *",
      'invalid schedule "0 0 30 2 *": Invalid explicit day of month definition',
    ],
    [
      "four fields",
      "* * * *",
      'invalid schedule "* * * *": has 4 fields, not 5 (expected a 5-field cron expression ("minute hour day-of-month month day-of-week"), a preset such as "@daily", or an interval such as "6h")',
    ],
    [
      "six fields (seconds)",
      "0 0 * * * *",
      'invalid schedule "0 0 * * * *": has 6 fields, not 5 (expected a 5-field cron expression ("minute hour day-of-month month day-of-week"), a preset such as "@daily", or an interval such as "6h")',
    ],
    [
      "words",
      "every day",
      'invalid schedule "every day": has 2 fields, not 5 (expected a 5-field cron expression ("minute hour day-of-month month day-of-week"), a preset such as "@daily", or an interval such as "6h")',
    ],
    [
      "an unknown preset",
      "@fortnightly",
      'invalid schedule "@fortnightly": unknown preset (use one of @once, @hourly, @daily, @midnight, @weekly, @monthly, @quarterly, @yearly, @annually)',
    ],
    [
      "hashed values",
      "0 H * * *",
      'invalid schedule "0 H * * *": hour field "H": "H" (hashed values) is not supported',
    ],
    [
      "an interval under a second",
      "500ms",
      'invalid schedule "500ms": an interval must be a whole number of seconds, at least "1s" (run ids count seconds)',
    ],
    [
      "a zero interval",
      "0s",
      'invalid schedule "0s": an interval must be a whole number of seconds, at least "1s" (run ids count seconds)',
    ],
  ])("rejects %s", (_name, schedule, message) => {
    expect(parseTimetable({ schedule, start: "2026-01-01", timezone: "UTC" })).toEqual({
      ok: false,
      problems: [message],
    });
  });

  it.each([
    ["a typo", "Europe/Pariss", 'unknown timezone "Europe/Pariss" (did you mean "Europe/Paris"?)'],
    [
      "a made-up zone",
      "Mars/Olympus",
      'unknown timezone "Mars/Olympus" (an IANA name such as "Europe/Paris" or "UTC")',
    ],
    [
      "a bare offset",
      "+02:00",
      'unknown timezone "+02:00" (an IANA name such as "Europe/Paris" or "UTC")',
    ],
  ])("rejects a timezone: %s", (_name, timezone, message) => {
    expect(parseTimetable({ schedule: null, start: undefined, timezone })).toEqual({
      ok: false,
      problems: [message],
    });
  });

  it.each(["UTC", "utc", "Etc/UTC", "America/New_York", "US/Eastern", "Asia/Kolkata"])(
    "accepts the timezone %s",
    (timezone) => {
      expect(parseTimetable({ schedule: "@daily", start: "2026-01-01", timezone }).ok).toBe(true);
    },
  );

  it("gathers every problem: timezone, start and schedule", () => {
    expect(
      parseTimetable({ schedule: "61 * * * *", start: undefined, timezone: "Europe/Pariss" }),
    ).toEqual({
      ok: false,
      problems: [
        'unknown timezone "Europe/Pariss" (did you mean "Europe/Paris"?)',
        'schedule "61 * * * *" needs a valid start date (the start of the first data interval)',
        'invalid schedule "61 * * * *": minute field "61": Constraint error, got value 61 expected range 0-59',
      ],
    });
  });
});

describe("intervals of a schedule, from its start (UTC)", () => {
  it.each([
    [
      "@hourly, start between ticks",
      "@hourly",
      "2026-01-01T10:30:00Z",
      ["2026-01-01T11:00/2026-01-01T12:00", "2026-01-01T12:00/2026-01-01T13:00"],
    ],
    [
      "@daily, start on a tick",
      "@daily",
      "2026-01-01T00:00:00Z",
      ["2026-01-01T00:00/2026-01-02T00:00", "2026-01-02T00:00/2026-01-03T00:00"],
    ],
    [
      "@daily, start at 10:00 moves to the next midnight",
      "@daily",
      "2026-01-01T10:00:00Z",
      ["2026-01-02T00:00/2026-01-03T00:00", "2026-01-03T00:00/2026-01-04T00:00"],
    ],
    [
      "@weekly from a Wednesday: Sundays",
      "@weekly",
      "2025-01-01T00:00:00Z",
      ["2025-01-05T00:00/2025-01-12T00:00", "2025-01-12T00:00/2025-01-19T00:00"],
    ],
    [
      "@weekly from a Sunday",
      "@weekly",
      "2025-01-05T00:00:00Z",
      ["2025-01-05T00:00/2025-01-12T00:00", "2025-01-12T00:00/2025-01-19T00:00"],
    ],
    [
      "Sunday written as 7",
      "0 0 * * 7",
      "2025-01-01T00:00:00Z",
      ["2025-01-05T00:00/2025-01-12T00:00", "2025-01-12T00:00/2025-01-19T00:00"],
    ],
    [
      "@monthly from Jan 31",
      "@monthly",
      "2026-01-31T00:00:00Z",
      ["2026-02-01T00:00/2026-03-01T00:00", "2026-03-01T00:00/2026-04-01T00:00"],
    ],
    [
      "the 31st skips short months",
      "0 0 31 * *",
      "2026-01-31T00:00:00Z",
      ["2026-01-31T00:00/2026-03-31T00:00", "2026-03-31T00:00/2026-05-31T00:00"],
    ],
    [
      "@quarterly from mid-February",
      "@quarterly",
      "2026-02-15T00:00:00Z",
      [
        "2026-04-01T00:00/2026-07-01T00:00",
        "2026-07-01T00:00/2026-10-01T00:00",
        "2026-10-01T00:00/2027-01-01T00:00",
      ],
    ],
    ["@yearly from June", "@yearly", "2026-06-01T00:00:00Z", ["2027-01-01T00:00/2028-01-01T00:00"]],
    ["leap days only", "0 0 29 2 *", "2026-01-01T00:00:00Z", ["2028-02-29T00:00/2032-02-29T00:00"]],
    // cron's OR rule: day-of-month and day-of-week both restricted match either one.
    [
      "the 15th OR Mondays",
      "0 0 15 * 1",
      "2026-01-01T00:00:00Z",
      [
        "2026-01-05T00:00/2026-01-12T00:00",
        "2026-01-12T00:00/2026-01-15T00:00",
        "2026-01-15T00:00/2026-01-19T00:00",
        "2026-01-19T00:00/2026-01-26T00:00",
      ],
    ],
    [
      "weekdays every 15 min in office hours, over a weekend",
      "*/15 9-17 * * 1-5",
      "2026-01-02T17:40:00Z",
      ["2026-01-02T17:45/2026-01-05T09:00", "2026-01-05T09:00/2026-01-05T09:15"],
    ],
    [
      "a fixed interval starts exactly at start",
      "30m",
      "2026-01-01T00:10:00Z",
      ["2026-01-01T00:10/2026-01-01T00:40", "2026-01-01T00:40/2026-01-01T01:10"],
    ],
    [
      "1d anchored at 06:00",
      "1d",
      "2026-01-01T06:00:00Z",
      ["2026-01-01T06:00/2026-01-02T06:00", "2026-01-02T06:00/2026-01-03T06:00"],
    ],
    [
      "@once: one zero-length interval",
      "@once",
      "2026-01-01T06:00:00Z",
      ["2026-01-01T06:00/2026-01-01T06:00"],
    ],
  ])("%s", (_name, schedule, start, expected) => {
    expect(
      firstIntervals(schedule, start, expected.length + (schedule === "@once" ? 1 : 0)),
    ).toEqual(expected);
  });
});

// Airflow's rules: cron ticks are wall-clock times in the DAG's zone. A reading that falls in a
// spring gap moves forward by the gap; a reading in an autumn fold is taken once, at its later
// occurrence, unless the schedule runs every hour: then it steps by elapsed time and both
// occurrences are ticks. Fixed intervals ignore DST.
describe("daylight saving", () => {
  it.each([
    [
      "London @daily, spring forward: 23h",
      "@daily",
      "Europe/London",
      "2025-03-29T00:00:00Z",
      [
        "2025-03-29T00:00/2025-03-30T00:00",
        "2025-03-30T00:00/2025-03-30T23:00",
        "2025-03-30T23:00/2025-03-31T23:00",
      ],
    ],
    [
      "London @daily, fall back: 25h",
      "@daily",
      "Europe/London",
      "2025-10-25T00:00:00Z",
      ["2025-10-25T23:00/2025-10-27T00:00", "2025-10-27T00:00/2025-10-28T00:00"],
    ],
    [
      "New York @daily, spring forward: 23h",
      "@daily",
      "America/New_York",
      "2025-03-08T05:00:00Z",
      [
        "2025-03-08T05:00/2025-03-09T05:00",
        "2025-03-09T05:00/2025-03-10T04:00",
        "2025-03-10T04:00/2025-03-11T04:00",
      ],
    ],
    [
      "New York @daily, fall back: 25h",
      "@daily",
      "America/New_York",
      "2025-11-01T04:00:00Z",
      [
        "2025-11-01T04:00/2025-11-02T04:00",
        "2025-11-02T04:00/2025-11-03T05:00",
        "2025-11-03T05:00/2025-11-04T05:00",
      ],
    ],
    [
      "London @hourly, spring: the missing 01:00 is no tick, every interval 1h",
      "@hourly",
      "Europe/London",
      "2025-03-30T00:00:00Z",
      ["2025-03-30T00:00/2025-03-30T01:00", "2025-03-30T01:00/2025-03-30T02:00"],
    ],
    [
      "London @hourly, fall: both 01:00s are ticks, none repeats, every interval 1h",
      "@hourly",
      "Europe/London",
      "2025-10-25T23:00:00Z",
      [
        "2025-10-25T23:00/2025-10-26T00:00",
        "2025-10-26T00:00/2025-10-26T01:00",
        "2025-10-26T01:00/2025-10-26T02:00",
        "2025-10-26T02:00/2025-10-26T03:00",
      ],
    ],
    [
      "New York every 30 min through the fold",
      "*/30 * * * *",
      "America/New_York",
      "2025-11-02T05:00:00Z",
      [
        "2025-11-02T05:00/2025-11-02T05:30",
        "2025-11-02T05:30/2025-11-02T06:00",
        "2025-11-02T06:00/2025-11-02T06:30",
        "2025-11-02T06:30/2025-11-02T07:00",
      ],
    ],
    [
      "London 01:30 daily, fold: the later 01:30 (GMT)",
      "30 1 * * *",
      "Europe/London",
      "2025-10-25T00:00:00Z",
      ["2025-10-25T00:30/2025-10-26T01:30", "2025-10-26T01:30/2025-10-27T01:30"],
    ],
    [
      "London 01:30 daily, gap: 01:30 becomes 02:30 BST",
      "30 1 * * *",
      "Europe/London",
      "2025-03-29T00:00:00Z",
      ["2025-03-29T01:30/2025-03-30T01:30", "2025-03-30T01:30/2025-03-31T00:30"],
    ],
    [
      "London 01:00-03:00 hourly, fold: each reading once",
      "0 1-3 * * *",
      "Europe/London",
      "2025-10-26T00:00:00Z",
      [
        "2025-10-26T01:00/2025-10-26T02:00",
        "2025-10-26T02:00/2025-10-26T03:00",
        "2025-10-26T03:00/2025-10-27T01:00",
      ],
    ],
    [
      "Sao Paulo 2018: midnight did not exist, 01:00 instead",
      "@daily",
      "America/Sao_Paulo",
      "2018-11-02T12:00:00Z",
      [
        "2018-11-03T03:00/2018-11-04T03:00",
        "2018-11-04T03:00/2018-11-05T02:00",
        "2018-11-05T02:00/2018-11-06T02:00",
      ],
    ],
    [
      "a fixed 1d ignores DST (New York 00:00 EST stays 05:00Z)",
      "1d",
      "America/New_York",
      "2025-03-08T05:00:00Z",
      ["2025-03-08T05:00/2025-03-09T05:00", "2025-03-09T05:00/2025-03-10T05:00"],
    ],
  ])("%s", (_name, schedule, timezone, start, expected) => {
    expect(firstIntervals(schedule, start, expected.length, timezone)).toEqual(expected);
  });
});
