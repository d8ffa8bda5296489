import { describe, expect, it } from "vitest";
import { decidePastStall, type HeldByPast } from "../../../src/core/past-stall.js";
import type { TaskInstance } from "../../../src/core/run.js";
import type { TaskState } from "../../../src/core/states.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf } from "./run-event-fixture.js";

const at = new Date("2026-01-02T00:10:00.000Z");
const previous = "scheduled__2026-01-01T00:00:00+00:00";
const wait: HeldByPast = { kind: "wait", runId: previous, state: "running" };
const failed: HeldByPast = { kind: "blocked", runId: previous, state: "failed" };
const neverRan: HeldByPast = { kind: "blocked", runId: previous, state: "none" };

//   extract -> load (dependsOnPast) -> report;  load -> cleanup (all_done);  audit (dependsOnPast)
const dag = makeDag({
  extract: [],
  load: { upstream: ["extract"], dependsOnPast: true },
  report: ["load"],
  cleanup: { upstream: ["load"], triggerRule: "all_done" },
  audit: { dependsOnPast: true },
});

function stall(
  held: Record<string, HeldByPast>,
  states: Record<string, TaskState | Partial<TaskInstance>>,
) {
  return decidePastStall(dag, runOf(dag, states).tasks, new Map(Object.entries(held)), at);
}

describe("decidePastStall", () => {
  it.each<[string, Record<string, HeldByPast>, Record<string, TaskState>, string]>([
    [
      "a held task waits for a previous run still running",
      { load: wait },
      { extract: "success" },
      "waiting",
    ],
    [
      "one waits, one is blocked: the run keeps waiting",
      { audit: failed, load: wait },
      { extract: "success" },
      "waiting",
    ],
    [
      "the held tasks all started or were settled since: nothing holds the run",
      { load: failed, audit: wait },
      { extract: "success", load: "running", audit: "skipped" },
      "free",
    ],
  ])("%s", (_name, held, states, kind) => {
    expect(stall(held, states).kind).toBe(kind);
  });

  it("every held task blocked: they become upstream_failed, their downstream settles, the run is to fail", () => {
    const result = stall({ audit: neverRan, load: failed }, { extract: "success" });
    if (result.kind !== "blocked") throw new Error(`expected blocked, got ${result.kind}`);
    const why = (how: string) =>
      `it ${how} in the previous run ${previous} (flow retry that run, then this one)`;
    expect(describeEvent(result.event)).toEqual({
      tasks: [
        `audit: upstream_failed (depends on past: ${why("never ran")})`,
        `load: upstream_failed (depends on past: ${why("is failed")})`,
        'report: upstream_failed (upstream task "load" could not run (upstream_failed))',
      ],
      ready: ["cleanup"],
      retries: [],
    });
    expect(result.blockedByPast).toEqual([
      `task "audit" depends on past: ${why("never ran")}`,
      `task "load" depends on past: ${why("is failed")}`,
    ]);
  });

  it("an up_for_retry task held and blocked is given up on too", () => {
    const result = stall({ load: failed }, { extract: "success", load: "up_for_retry" });
    expect(result.kind).toBe("blocked");
  });
});
