import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/core/duration.js";

describe("parseDuration", () => {
  it.each([
    ["a number is seconds", 30, 30_000],
    ["fractional seconds", 1.5, 1_500],
    ["zero", 0, 0],
    ["milliseconds", "500ms", 500],
    ["seconds", "30s", 30_000],
    ["minutes", "5m", 300_000],
    ["hours", "2h", 7_200_000],
    ["days", "1d", 86_400_000],
    ["a combination", "1h30m", 5_400_000],
    ["a combination down to ms", "1m30s250ms", 90_250],
    ["a decimal with a unit", "1.5h", 5_400_000],
    ["surrounding spaces", " 10s ", 10_000],
  ])("%s: %j -> %j ms", (_name, value, expected) => {
    expect(parseDuration(value)).toBe(expected);
  });

  it.each([
    ["a negative number", -1],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["a unitless string", "30"],
    ["an unknown unit", "5w"],
    ["words", "5 minutes"],
    ["a negative string", "-5s"],
    ["an empty string", ""],
    ["trailing garbage", "5mx"],
    ["a space inside", "1h 30m"],
    ["null", null],
    ["a boolean", true],
    ["an object", { seconds: 5 }],
  ])("%s (%j) is not a duration", (_name, value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    ["zero", 0, "0ms"],
    ["below a second", 850, "850ms"],
    ["rounds to whole ms", 849.6, "850ms"],
    ["just under a second rounds up", 999.6, "1.0s"],
    ["seconds with one decimal", 1_234, "1.2s"],
    ["just under a minute", 59_940, "59.9s"],
    ["rounds up to a minute", 59_960, "1m 00s"],
    ["minutes and padded seconds", 185_000, "3m 05s"],
    ["hours and padded minutes", 7_260_000, "2h 01m"],
    ["more than a day stays in hours", 93_600_000, "26h 00m"],
    ["negative is zero", -5, "0ms"],
    ["NaN is zero", NaN, "0ms"],
  ])("%s: %d -> %s", (_name, ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
