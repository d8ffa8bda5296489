import { describe, expect, it } from "vitest";
import { parseIsoDate } from "../../../src/core/iso-date.js";

describe("parseIsoDate", () => {
  it.each([
    ["a date is midnight UTC", "2026-01-01", "2026-01-01T00:00:00.000Z"],
    ["a naive date-time is UTC, not local", "2026-01-01T06:00", "2026-01-01T06:00:00.000Z"],
    ["Z", "2026-01-01T06:00:00Z", "2026-01-01T06:00:00.000Z"],
    ["a positive offset", "2026-01-01T06:00:00+02:00", "2026-01-01T04:00:00.000Z"],
    ["a compact negative offset", "2026-01-01T06:00:00-0530", "2026-01-01T11:30:00.000Z"],
    ["fractional seconds", "2026-01-01T06:00:00.5Z", "2026-01-01T06:00:00.500Z"],
    ["a space instead of T", "2026-01-01 06:00:00Z", "2026-01-01T06:00:00.000Z"],
    ["a leap day", "2028-02-29", "2028-02-29T00:00:00.000Z"],
  ])("%s: %s", (_name, value, expected) => {
    expect(parseIsoDate(value)?.toISOString()).toBe(expected);
  });

  it.each([
    ["February 30th", "2026-02-30"],
    ["not a leap year", "2026-02-29"],
    ["month 13", "2026-13-01"],
    ["hour 24", "2026-01-01T24:00:00Z"],
    ["prose", "January 1, 2026"],
    ["slashes", "2026/01/01"],
    ["empty", ""],
  ])("rejects %s", (_name, value) => {
    expect(parseIsoDate(value)).toBeUndefined();
  });
});
