import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatTime,
  formatTries,
  runTypeLetter,
} from "../../../../src/ui/client/format.js";
import { cellTitle } from "../../../../src/ui/client/views/cell-title.js";

describe("how the web view writes times, tries and run types", () => {
  it.each([
    [null, ""],
    [12, "12ms"],
    [1234, "1.2s"],
    [64_000, "1m 04s"],
    [7_500_000, "2h 05m"],
  ])("duration %s ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("writes instants in UTC to the minute", () => {
    expect(formatTime("2026-01-05T10:20:30.000+02:00")).toBe("2026-01-05 08:20");
    expect(formatTime(null)).toBe("");
  });

  it("counts interrupted tries apart, as the CLI does", () => {
    expect(formatTries({ try_number: 2, max_tries: 3, interrupted_tries: 0 })).toBe("2/3");
    expect(formatTries({ try_number: 2, max_tries: 2, interrupted_tries: 1 })).toBe(
      "2/2, 1 interrupted",
    );
  });

  it.each([
    ["manual", "m"],
    ["scheduled", "s"],
    ["backfill", "b"],
  ])("a %s run is marked %s in the grid", (type, letter) => {
    expect(runTypeLetter(type)).toBe(letter);
  });

  it("titles a grid cell with state, tries, duration and reason", () => {
    const ti = {
      state: "failed",
      try_number: 1,
      max_tries: 2,
      interrupted_tries: 0,
      start: null,
      end: null,
      duration_ms: 1500,
      reason: "exit code 1",
      next_try_at: null,
      exit_code: 1,
      worker: null,
      lost: false,
    };
    expect(cellTitle("load", ti)).toBe("load: failed, try 1/2, 1.5s, exit code 1");
    expect(cellTitle("load", { ...ti, worker: "w1" })).toBe(
      "load: failed, try 1/2 on w1, 1.5s, exit code 1",
    );
    expect(cellTitle("load", { ...ti, lost: true })).toBe(
      "load: failed (lost), try 1/2, 1.5s, exit code 1",
    );
    expect(cellTitle("load", undefined)).toBe("load: no task instance");
  });
});
