import { describe, expect, it } from "vitest";
import { formatInZone, parseZonedDate } from "../../../src/core/timetable-zone.js";

describe("formatInZone", () => {
  it.each([
    ["UTC", "2026-03-29T00:00:00.000Z", "UTC", "2026-03-29T00:00:00+00:00"],
    ["Paris in winter", "2026-03-28T23:00:00.000Z", "Europe/Paris", "2026-03-29T00:00:00+01:00"],
    ["Paris in summer", "2026-03-29T22:00:00.000Z", "Europe/Paris", "2026-03-30T00:00:00+02:00"],
    [
      "New York, behind UTC",
      "2026-01-05T05:00:00.000Z",
      "America/New_York",
      "2026-01-05T00:00:00-05:00",
    ],
    ["a half-hour zone", "2026-01-05T00:00:00.000Z", "Asia/Kolkata", "2026-01-05T05:30:00+05:30"],
    ["milliseconds dropped", "2026-01-05T00:00:00.999Z", "UTC", "2026-01-05T00:00:00+00:00"],
  ])("%s", (_name, iso, timezone, expected) => {
    expect(formatInZone(new Date(iso), timezone)).toBe(expected);
  });
});

describe("parseZonedDate", () => {
  it.each([
    ["a date is midnight in the zone", "2026-01-05", "Europe/Paris", "2026-01-04T23:00:00.000Z"],
    ["a naive date-time", "2026-07-01T06:00", "Europe/Paris", "2026-07-01T04:00:00.000Z"],
    ["an explicit offset wins", "2026-01-05T00:00:00Z", "Europe/Paris", "2026-01-05T00:00:00.000Z"],
    [
      "an explicit +hh:mm wins",
      "2026-01-05T00:00:00+05:00",
      "Europe/Paris",
      "2026-01-04T19:00:00.000Z",
    ],
    ["UTC", "2026-01-05", "UTC", "2026-01-05T00:00:00.000Z"],
    [
      "in a fold: the later reading",
      "2025-10-26T01:30",
      "Europe/London",
      "2025-10-26T01:30:00.000Z",
    ],
    ["in a gap: moved forward", "2025-03-30T01:30", "Europe/London", "2025-03-30T01:30:00.000Z"],
  ])("%s", (_name, value, timezone, expected) => {
    expect(parseZonedDate(value, timezone)?.toISOString()).toBe(expected);
  });

  it.each(["2026-02-30", "tomorrow", ""])("rejects %j", (value) => {
    expect(parseZonedDate(value, "UTC")).toBeUndefined();
  });
});
