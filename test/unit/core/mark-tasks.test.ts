import { describe, expect, it } from "vitest";
import { markTaskInstances, markTasks, type MarkRequest } from "../../../src/core/mark.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf } from "./run-event-fixture.js";

const now = new Date("2026-01-02T12:00:00.000Z");
const ended = "2026-01-01T00:05:00.000Z";

//   extract -> transform -> load;  audit
const dag = makeDag({ extract: [], transform: ["extract"], load: ["transform"], audit: [] });
const failedRun = runOf(
  dag,
  {
    extract: { state: "success", try_number: 1, end: ended },
    transform: { state: "failed", try_number: 1, reason: "exit code 1", end: ended },
    load: { state: "upstream_failed", reason: 'upstream task "transform" failed' },
    audit: { state: "success", try_number: 1, end: ended },
  },
  { state: "failed", start: "2026-01-01T00:00:01.000Z", end: ended },
);

describe("markTasks", () => {
  it.each<[string, Omit<MarkRequest, "now">, string[], string[], string | null]>([
    [
      "a failed task marked success: what failed after it may run, the run is queued",
      { taskIds: ["transform"], state: "success" },
      ["transform: success (marked success by hand)", "load: none"],
      ["load"],
      "queued",
    ],
    [
      "the failed task marked failed again: nothing changes, the run is not written",
      { taskIds: ["transform"], state: "failed" },
      [],
      [],
      null,
    ],
    [
      "everything marked success: the run is a success",
      { taskIds: ["extract"], state: "success", downstream: true },
      ["transform: success (marked success by hand)", "load: success (marked success by hand)"],
      [],
      "success",
    ],
  ])("%s", (_name, request, tasks, ready, runState) => {
    const event = markTasks(dag, failedRun, { ...request, now });
    expect(describeEvent(event)).toEqual({ tasks, ready, retries: [] });
    expect(event.run?.state ?? null).toBe(runState);
  });

  it("changes what markTaskInstances says it changes", () => {
    const request = { taskIds: ["transform"], state: "skipped", now } as const;
    const outcome = markTaskInstances(dag, failedRun, request);
    const event = markTasks(dag, failedRun, request);
    expect([event.tasks, event.run]).toEqual([outcome.changed, outcome.run]);
  });
});
