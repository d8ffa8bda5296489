import { describe, expect, it } from "vitest";
import { lostAt, recoveryLostAt, showLostRun } from "../../../src/core/lost-run.js";
import type { DagRun } from "../../../src/core/run.js";
import { makeRun } from "../../fixtures/store/runs.js";
import { instances, makeDag } from "./dag-fixture.js";

//   extract (retries 1) -> load;  side
const dag = makeDag({
  extract: { retries: 1, retryDelay: 0 },
  load: ["extract"],
  side: [],
});
const STARTED = "2026-01-01T00:00:00.000Z";
const LOAD_STARTED = "2026-01-01T00:00:05.000Z";

// A run its owner left running: extract done, load and side running since their starts.
function leftRunning(): DagRun {
  return makeRun("test", "2026-01-01T00:00:00.000Z", {
    state: "running",
    start: STARTED,
    owner: { pid: 4242, hostname: "box", heartbeat: STARTED },
    tasks: instances(dag, {
      extract: { state: "success", try_number: 1, start: STARTED, end: "2026-01-01T00:00:04.000Z" },
      load: { state: "running", try_number: 1, start: LOAD_STARTED },
      side: { state: "running", try_number: 1, start: STARTED },
    }),
  });
}

const at = (iso: string) => new Date(iso);
const NOW = at("2026-01-01T01:00:00.000Z");

describe("lostAt: when a reader ends a dead owner's tries", () => {
  it.each<[string, Date | undefined, Date, string]>([
    [
      "last seen alive: that moment",
      at("2026-01-01T00:00:30.000Z"),
      NOW,
      "2026-01-01T00:00:30.000Z",
    ],
    [
      "seen before the latest time the run records (a clock behind): that time",
      at("2026-01-01T00:00:01.000Z"),
      NOW,
      LOAD_STARTED,
    ],
    [
      "seen after now (a file system clock ahead, FLOW_NOW): now",
      at("2026-01-01T02:00:00.000Z"),
      NOW,
      NOW.toISOString(),
    ],
    [
      "never seen (no lock dir, no journal): the latest recorded time",
      undefined,
      NOW,
      LOAD_STARTED,
    ],
    [
      "now before the latest recorded time (FLOW_NOW in the past): that time, never before a start",
      at("2026-01-01T00:00:30.000Z"),
      at("2026-01-01T00:00:02.000Z"),
      LOAD_STARTED,
    ],
  ])("%s", (_name, lastSeen, now, expected) => {
    expect(lostAt(leftRunning(), lastSeen, now).toISOString()).toBe(expected);
  });

  it("a run that records no time and was never seen: now", () => {
    const bare = makeRun("test", STARTED, { state: "running" });
    expect(lostAt(bare, undefined, NOW)).toEqual(NOW);
  });
});

describe("recoveryLostAt: when a writer that recovers the run ends its lost tries", () => {
  const seen = at("2026-01-01T00:00:30.000Z");

  it.each<[string, { lastSeen?: Date } | undefined, Date, string]>([
    [
      "the owner seen alive: that moment, as readers showed",
      { lastSeen: seen },
      NOW,
      seen.toISOString(),
    ],
    [
      "neither lock dir nor journal seen: the latest recorded time, as readers showed",
      {},
      NOW,
      LOAD_STARTED,
    ],
    ["a store with no lock to look at (memory): now", undefined, NOW, NOW.toISOString()],
    [
      "no lock to look at, now before the latest recorded time: that time",
      undefined,
      at("2026-01-01T00:00:02.000Z"),
      LOAD_STARTED,
    ],
  ])("%s", (_name, sighting, now, expected) => {
    expect(recoveryLostAt(leftRunning(), sighting, now).toISOString()).toBe(expected);
  });

  it("recorded an hour later, the recovery ends the tries where readers showed them ending", () => {
    const later = new Date(NOW.getTime() + 60 * 60_000);
    const shown = showLostRun(dag, leftRunning(), seen, NOW);
    const end = recoveryLostAt(leftRunning(), { lastSeen: seen }, later);
    expect(end.toISOString()).toBe(shown.lost?.at);
  });
});

describe("showLostRun: a dead owner's run as a reader shows it", () => {
  const seen = at("2026-01-01T00:00:30.000Z");

  it("ends the lost tries when the owner was last seen, marks them and the run lost", () => {
    const shown = showLostRun(dag, leftRunning(), seen, NOW);
    expect(shown.lost).toEqual({ at: seen.toISOString(), tasks: ["load", "side"] });
    expect(shown.tasks.load).toMatchObject({
      state: "failed",
      end: seen.toISOString(),
      duration_ms: 25_000,
      reason: "process lost: flow process 4242 on box ended while the try was running",
    });
    expect(shown.tasks.side).toMatchObject({ state: "failed", duration_ms: 30_000 });
    expect(shown.tasks.extract!.state).toBe("success");
    expect(shown.state).toBe("failed");
    expect(shown.end).toBe(seen.toISOString());
  });

  it("looked at again later, the run is shown the same: its durations do not grow", () => {
    const later = new Date(NOW.getTime() + 60 * 60_000);
    expect(showLostRun(dag, leftRunning(), seen, later)).toEqual(
      showLostRun(dag, leftRunning(), seen, NOW),
    );
  });

  it("a run with retries left goes back to queued, its duration up to the mark", () => {
    const run = leftRunning();
    const retrying: DagRun = {
      ...run,
      tasks: { ...run.tasks, extract: { ...run.tasks.extract!, state: "running", end: null } },
    };
    const shown = showLostRun(dag, retrying, seen, NOW);
    expect(shown.state).toBe("queued");
    expect(shown.end).toBeNull();
    expect(shown.lost?.at).toBe(seen.toISOString());
    expect(shown.tasks.extract).toMatchObject({ state: "up_for_retry", end: seen.toISOString() });
  });
});
