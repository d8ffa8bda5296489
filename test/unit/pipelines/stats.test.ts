import { describe, expect, it } from "vitest";
import { parseEvents, statsPerUser, toCsv, type UserEvent } from "../../../pipelines/lib/stats.js";

const event = (user: string, type: string, timestamp: string): UserEvent => ({
  user,
  type,
  timestamp,
});

describe("statsPerUser", () => {
  it("counts events per user and per type, sorted by user", () => {
    const stats = statsPerUser([
      event("bob", "click", "2026-01-05T10:00:00Z"),
      event("alice", "page_view", "2026-01-05T09:00:00Z"),
      event("bob", "page_view", "2026-01-05T08:00:00Z"),
      event("bob", "click", "2026-01-05T12:00:00Z"),
    ]);
    expect(stats).toEqual([
      {
        user: "alice",
        events: 1,
        firstEvent: "2026-01-05T09:00:00Z",
        lastEvent: "2026-01-05T09:00:00Z",
        byType: { page_view: 1 },
      },
      {
        user: "bob",
        events: 3,
        firstEvent: "2026-01-05T08:00:00Z",
        lastEvent: "2026-01-05T12:00:00Z",
        byType: { click: 2, page_view: 1 },
      },
    ]);
  });

  it("orders first and last event by time, not by text", () => {
    const [stats] = statsPerUser([
      event("bob", "click", "2026-01-05T10:00:00+02:00"),
      event("bob", "click", "2026-01-05T09:00:00Z"),
    ]);
    expect(stats).toMatchObject({
      firstEvent: "2026-01-05T10:00:00+02:00",
      lastEvent: "2026-01-05T09:00:00Z",
    });
  });

  it("returns no rows for no events", () => {
    expect(statsPerUser([])).toEqual([]);
  });
});

describe("toCsv", () => {
  it("writes one column per event type seen that day, 0 where a user has none", () => {
    const csv = toCsv("2026-01-05", [
      { user: "alice", events: 1, firstEvent: "t1", lastEvent: "t1", byType: { page_view: 1 } },
      {
        user: "bob",
        events: 3,
        firstEvent: "t0",
        lastEvent: "t2",
        byType: { click: 2, page_view: 1 },
      },
    ]);
    expect(csv).toBe(
      [
        "date,user,events,first_event,last_event,click,page_view",
        "2026-01-05,alice,1,t1,t1,0,1",
        "2026-01-05,bob,3,t0,t2,2,1",
        "",
      ].join("\n"),
    );
  });

  it("writes only the header for a day without events", () => {
    expect(toCsv("2026-01-05", [])).toBe("date,user,events,first_event,last_event\n");
  });

  it("quotes fields with commas, quotes or line breaks", () => {
    const csv = toCsv("2026-01-05", [
      { user: 'Smith, "J"', events: 1, firstEvent: "t", lastEvent: "t", byType: { "a\nb": 1 } },
    ]);
    expect(csv).toBe(
      'date,user,events,first_event,last_event,"a\nb"\n2026-01-05,"Smith, ""J""",1,t,t,1\n',
    );
  });
});

describe("parseEvents", () => {
  it("keeps user, type and timestamp and ignores other fields", () => {
    const text = JSON.stringify([
      { id: "1", user: "bob", type: "click", timestamp: "2026-01-05T10:00:00Z", page: "/" },
    ]);
    expect(parseEvents(text)).toEqual([event("bob", "click", "2026-01-05T10:00:00Z")]);
  });

  it.each([
    ["not an array", { events: [] }, "events file is not a JSON array"],
    ["an event that is not an object", [42], 'event 0: "user" must be a non-empty string'],
    [
      "no user",
      [{ type: "click", timestamp: "2026-01-05" }],
      'event 0: "user" must be a non-empty string',
    ],
    [
      "an empty type",
      [{ user: "bob", type: "", timestamp: "2026-01-05" }],
      'event 0: "type" must be a non-empty string',
    ],
    [
      "a bad timestamp, second event",
      [event("bob", "click", "2026-01-05"), { user: "bob", type: "click", timestamp: "soon" }],
      'event 1: "timestamp" must be an ISO 8601 date',
    ],
  ])("rejects %s", (_name, data, message) => {
    expect(() => parseEvents(JSON.stringify(data))).toThrow(message);
  });
});
