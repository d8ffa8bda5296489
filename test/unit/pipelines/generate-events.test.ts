import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateEvents } from "../../../pipelines/lib/generate-events.mjs";

const script = fileURLToPath(
  new URL("../../../pipelines/lib/generate-events.mjs", import.meta.url),
);
const day = (date: string) => [`${date}T00:00:00.000Z`, next(date)] as const;
const next = (date: string) => new Date(Date.parse(date) + 86_400_000).toISOString();

describe("generateEvents", () => {
  it("returns the same events for the same interval", () => {
    expect(generateEvents(...day("2026-01-05"))).toEqual(generateEvents(...day("2026-01-05")));
  });

  // Pinned so that a change to the generator, which would silently change every day's data
  // (and break the idempotence of reruns across versions), shows up here.
  it("keeps the events of a known day stable", () => {
    const events = generateEvents(...day("2026-01-05"));
    expect(events).toHaveLength(53);
    expect(events[0]).toEqual({
      id: "20260105-001",
      user: "user_02",
      type: "page_view",
      timestamp: "2026-01-05T00:04:22.000Z",
    });
    expect(events.at(-1)).toEqual({
      id: "20260105-053",
      user: "user_02",
      type: "page_view",
      timestamp: "2026-01-05T23:53:28.000Z",
    });
  });

  it("gives different days different events", () => {
    const first = generateEvents(...day("2026-01-05")).map(({ user, type }) => `${user}:${type}`);
    const second = generateEvents(...day("2026-01-06")).map(({ user, type }) => `${user}:${type}`);
    expect(first).not.toEqual(second);
  });

  it("returns only events inside [start, end), oldest first", () => {
    const start = "2026-01-05T06:00:00.000Z";
    const end = "2026-01-05T18:00:00.000Z";
    const times = generateEvents(start, end).map((e) => Date.parse(e.timestamp));
    expect(times.length).toBeGreaterThan(0);
    expect(times.every((t) => t >= Date.parse(start) && t < Date.parse(end))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it.each([
    [
      "two days = day one + day two",
      ["2026-01-05", "2026-01-07"],
      ["2026-01-05", "2026-01-06", "2026-01-07"],
    ],
    [
      "a day = its two halves",
      ["2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"],
      ["2026-01-05T00:00:00Z", "2026-01-05T12:00:00Z", "2026-01-06T00:00:00Z"],
    ],
    [
      "an interval across midnight = its parts",
      ["2026-01-05T20:00:00Z", "2026-01-06T04:00:00Z"],
      ["2026-01-05T20:00:00Z", "2026-01-06T00:00:00Z", "2026-01-06T04:00:00Z"],
    ],
  ])("does not depend on how the interval is split: %s", (_name, [start, end], cuts) => {
    const pieces = cuts.slice(1).flatMap((cut, i) => generateEvents(cuts[i]!, cut));
    expect(pieces).toEqual(generateEvents(start!, end!));
  });

  it("returns no events for an empty interval", () => {
    expect(generateEvents("2026-01-05T00:00:00Z", "2026-01-05T00:00:00Z")).toEqual([]);
  });

  it.each([
    ["a start that is not a date", "yesterday", "2026-01-05", /not a date: "yesterday"/],
    ["an end before the start", "2026-01-05", "2026-01-04", /ends before it starts/],
    ["an interval over a year long", "2024-01-01", "2026-01-01", /longer than 366 days/],
  ])("rejects %s", (_name, start, end, message) => {
    expect(() => generateEvents(start, end)).toThrow(message);
  });
});

describe("generate-events.mjs as a command", () => {
  it("prints the events of the interval as JSON", () => {
    const stdout = execFileSync(process.execPath, [script, ...day("2026-01-05")], {
      encoding: "utf8",
    });
    expect(JSON.parse(stdout)).toEqual(generateEvents(...day("2026-01-05")));
  });

  it("exits 2 with a one-line message on a bad interval", () => {
    try {
      execFileSync(process.execPath, [script, "2026-01-05", "nope"], {
        encoding: "utf8",
        stdio: "pipe",
      });
      expect.unreachable();
    } catch (error) {
      const { status, stderr } = error as { status: number; stderr: string };
      expect(status).toBe(2);
      expect(stderr).toBe('generate-events: not a date: "nope"\n');
    }
  });
});
