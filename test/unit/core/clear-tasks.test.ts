import { describe, expect, it } from "vitest";
import { clearRun, clearTasks } from "../../../src/core/clear.js";
import { applyRunEvent } from "../../../src/core/run-event.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf } from "./run-event-fixture.js";

const at = new Date("2026-01-03T00:00:00.000Z");
const ended = "2026-01-01T00:05:00.000Z";

//   extract -> load (retries 2) -> notify;  extract -> audit
const dag = makeDag({
  extract: [],
  load: { upstream: ["extract"], retries: 2 },
  notify: ["load"],
  audit: ["extract"],
});
const failedRun = runOf(
  dag,
  {
    extract: { state: "success", try_number: 1, result: { rows: 3 }, end: ended },
    load: { state: "failed", try_number: 3, max_tries: 3, reason: "exit code 1", end: ended },
    notify: { state: "upstream_failed", reason: 'upstream task "load" failed' },
    audit: { state: "success", try_number: 1, end: ended },
  },
  { state: "failed", start: "2026-01-01T00:00:01.000Z", end: ended },
);

describe("clearTasks", () => {
  it("clears the tasks given, queues the run, and says what a resumed run starts first", () => {
    const event = clearTasks(dag, failedRun, ["load", "notify", "ghost"], at);
    expect(describeEvent(event)).toEqual({
      tasks: ["load: none", "notify: none"],
      ready: ["load"],
      retries: [],
    });
    expect(event.tasks[0]).toMatchObject({ try_number: 3, max_tries: 6, end: null });
    expect(event.run).toMatchObject({
      state: "queued",
      queued_at: "2026-01-03T00:00:00.000Z",
      start: null,
      end: null,
      reason: null,
      owner: null,
    });
  });

  it("clearRun is clearTasks applied", () => {
    const ids = ["load", "notify"];
    expect(clearRun(dag, failedRun, ids, at)).toEqual(
      applyRunEvent(failedRun, clearTasks(dag, failedRun, ids, at)),
    );
  });

  it("clearing nothing still queues the run", () => {
    const event = clearTasks(dag, failedRun, [], at);
    expect([event.tasks, event.run?.state]).toEqual([[], "queued"]);
  });
});
