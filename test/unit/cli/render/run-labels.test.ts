import { describe, expect, it } from "vitest";
import { labelRuns } from "../../../../src/cli/render/run-labels.js";

describe("labelRuns", () => {
  it.each([
    {
      name: "daily runs: days, month above",
      dates: ["2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"],
      expected: { unit: "day", labels: ["30", "01"], contexts: ["2026-11", "2026-12"] },
    },
    {
      name: "two runs on one day: hours, day above",
      dates: ["2026-11-24T06:00:00Z", "2026-11-24T18:00:00Z"],
      expected: { unit: "hour", labels: ["06", "18"], contexts: ["11-24", "11-24"] },
    },
    {
      name: "two runs in one hour: minutes, hour above",
      dates: ["2026-11-24T08:15:00Z", "2026-11-24T08:45:00Z"],
      expected: { unit: "minute", labels: ["15", "45"], contexts: ["11-24 08:", "11-24 08:"] },
    },
    {
      name: "manual runs in one minute: seconds, minute above",
      dates: ["2026-11-24T08:42:47Z", "2026-11-24T08:42:50Z"],
      expected: {
        unit: "second",
        labels: ["47", "50"],
        contexts: ["11-24 08:42:", "11-24 08:42:"],
      },
    },
    {
      name: "a date that does not parse: question marks, no context",
      dates: ["2026-11-24T00:00:00Z", "not a date"],
      expected: { unit: "day", labels: ["24", "??"], contexts: ["2026-11", ""] },
    },
  ])("$name", ({ dates, expected }) => {
    expect(labelRuns(dates, "UTC")).toEqual(expected);
  });

  it("reads dates in the given time zone, and falls back to UTC for an unknown one", () => {
    expect(labelRuns(["2026-11-23T23:00:00Z"], "Europe/Berlin").labels).toEqual(["24"]);
    expect(labelRuns(["2026-11-23T23:00:00Z"], "Not/AZone").labels).toEqual(["23"]);
  });
});
