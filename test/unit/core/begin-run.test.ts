import { describe, expect, it } from "vitest";
import { beginRun } from "../../../src/core/begin-run.js";
import { recoverLostRun } from "../../../src/core/lost-tries.js";
import type { DagRun } from "../../../src/core/run.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf, runningTry } from "./run-event-fixture.js";

const at = new Date("2026-01-01T00:10:00.000Z");
const started = "2026-01-01T00:00:00.000Z";
const owner = { pid: 7, hostname: "box", heartbeat: started };

//   extract -> load (retries 1, no delay);  audit
const dag = makeDag({
  extract: [],
  load: { upstream: ["extract"], retries: 1, retryDelay: 0 },
  audit: [],
});

describe("beginRun: a process takes the run to execute it", () => {
  it.each<[string, DagRun, string[]]>([
    ["a new run: nothing to change", runOf(dag), []],
    [
      "tries its dead owner left running or scheduled are lost, retried if tries remain; one queued to follow another goes back to none",
      runOf(
        dag,
        {
          extract: "success",
          load: runningTry(started),
          audit: { state: "queued", try_number: 1 },
        },
        { state: "running", owner },
      ),
      [
        "audit: none (process lost: flow process 7 ended while the try was queued)",
        "load: up_for_retry (process lost: flow process 7 ended while the try was running)",
      ],
    ],
    [
      "an owner nobody recorded is named ?",
      runOf(dag, { extract: { state: "scheduled", try_number: 1 } }, { state: "running" }),
      ["extract: failed (process lost: flow process ? ended while the try was running)"],
    ],
  ])("%s", (_name, run, tasks) => {
    const event = beginRun(dag, run, at, { pid: 99, hostname: "here" });
    expect(describeEvent(event)).toEqual({ tasks, ready: [], retries: [] });
    expect(event.run).toMatchObject({
      state: "running",
      start: "2026-01-01T00:10:00.000Z",
      end: null,
      reason: null,
      owner: { pid: 99, hostname: "here", heartbeat: "2026-01-01T00:10:00.000Z" },
    });
  });

  it("a lost try ends when its owner was last seen (as readers showed), its retry delay counted from then; the run starts now", () => {
    const delayed = makeDag({ extract: { retries: 1, retryDelay: 60 } });
    const run = runOf(delayed, { extract: runningTry(started) }, { state: "running", owner });
    const lastSeen = new Date("2026-01-01T00:00:05.000Z");
    const event = beginRun(delayed, run, at, { pid: 99, hostname: "here" }, { lastSeen });
    expect(event.tasks[0]).toMatchObject({
      state: "up_for_retry",
      end: "2026-01-01T00:00:05.000Z",
      duration_ms: 5_000,
      next_try_at: "2026-01-01T00:01:05.000Z",
    });
    expect(event.run).toMatchObject({ start: at.toISOString() });
    // Seen before the try started (a clock behind): it ends at its start, never before.
    const early = beginRun(
      delayed,
      run,
      at,
      { pid: 99, hostname: "here" },
      {
        lastSeen: new Date("2025-12-31T23:00:00.000Z"),
      },
    );
    expect(early.tasks[0]).toMatchObject({ end: started, duration_ms: 0 });
    // A store with no lock to look at: the try ends now, as before.
    expect(beginRun(delayed, run, at, { pid: 99, hostname: "here" }).tasks[0]?.end).toBe(
      at.toISOString(),
    );
  });

  it("tasks added to the DAG since the run was created get fresh instances, in DAG order", () => {
    const older = makeDag({ extract: [] });
    const run = runOf(older, { extract: "success" });
    const event = beginRun(dag, run, at, { pid: 99, hostname: "here" });
    expect(describeEvent(event).tasks).toEqual(["audit: none", "load: none"]);
  });

  it("a run resumed keeps its first start", () => {
    const run = runOf(dag, {}, { state: "queued", start: started });
    expect(beginRun(dag, run, at, { pid: 99, hostname: "here" }).run?.start).toBe(started);
  });
});

describe("recoverLostRun: the owner of a running run died", () => {
  it("its lost tries fail (named with the host), the rest settles, the run waits to resume", () => {
    const run = runOf(
      dag,
      { extract: runningTry(started), audit: "success" },
      { state: "running", owner },
    );
    const event = recoverLostRun(dag, run, at);
    expect(describeEvent(event)).toEqual({
      tasks: [
        "extract: failed (process lost: flow process 7 on box ended while the try was running)",
        'load: upstream_failed (upstream task "extract" failed)',
      ],
      ready: [],
      retries: [],
    });
    expect(event.run).toMatchObject({ state: "failed", end: "2026-01-01T00:10:00.000Z" });
  });

  it("with a try left to run, the run goes back to queued", () => {
    const run = runOf(
      dag,
      { extract: "success", load: runningTry(started), audit: "success" },
      { state: "running", owner },
    );
    const event = recoverLostRun(dag, run, at);
    expect(describeEvent(event).ready).toEqual(["load"]);
    expect(event.run).toMatchObject({
      state: "queued",
      reason: "process lost: flow process 7 on box ended; the run resumes where it stopped",
      owner: null,
    });
  });
});
