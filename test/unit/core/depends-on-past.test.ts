import { describe, expect, it } from "vitest";
import {
  decideDependsOnPast,
  describePastBlock,
  findPreviousRun,
  type PreviousRun,
} from "../../../src/core/depends-on-past.js";
import type { RunState, TaskState } from "../../../src/core/states.js";
import { instances, makeDag } from "./dag-fixture.js";

//   extract -> load (dependsOnPast)    audit (dependsOnPast, added since the previous run)
const dag = makeDag({
  extract: [],
  load: { upstream: ["extract"], dependsOnPast: true },
  audit: { dependsOnPast: true },
});
const RUN_ID = "scheduled__2026-01-01T00:00:00+00:00";

// The previous run with `load` in `state` (and no `audit` instance).
function previous(runState: RunState, state: TaskState): PreviousRun {
  const { extract, load } = instances(dag, { extract: "success", load: state });
  return { run_id: RUN_ID, state: runState, tasks: { extract: extract!, load: load! } };
}

describe("decideDependsOnPast", () => {
  it("decides only for the tasks with dependsOnPast; all met on the first run", () => {
    expect(Object.fromEntries(decideDependsOnPast(dag, undefined))).toEqual({
      load: { kind: "met" },
      audit: { kind: "met" },
    });
  });

  it.each<[string, RunState, TaskState, string]>([
    ["success in a finished run", "success", "success", "met"],
    ["skipped", "success", "skipped", "met"],
    ["success in a run still running", "running", "success", "met"],
    ["failed", "failed", "failed", "blocked"],
    ["failed while the run still runs others", "running", "failed", "blocked"],
    ["upstream_failed", "failed", "upstream_failed", "blocked"],
    ["removed", "success", "removed", "blocked"],
    ["never ran in a run that ended (deadlocked)", "failed", "none", "blocked"],
    ["not started in a queued run", "queued", "none", "wait"],
    ["running", "running", "running", "wait"],
    ["queued", "running", "queued", "wait"],
    ["up_for_retry", "running", "up_for_retry", "wait"],
    ["not started in a run that is running", "running", "none", "wait"],
  ])("previous instance %s -> %s", (_name, runState, state, kind) => {
    const decision = decideDependsOnPast(dag, previous(runState, state)).get("load")!;
    expect(decision).toEqual(kind === "met" ? { kind } : { kind, runId: RUN_ID, state });
  });

  it("a task without an instance in the previous run (new since) is met", () => {
    expect(decideDependsOnPast(dag, previous("failed", "failed")).get("audit")).toEqual({
      kind: "met",
    });
  });
});

describe("findPreviousRun", () => {
  const run = (run_id: string, logical_date: string) => ({ run_id, logical_date });
  const runs = [
    run("scheduled__2026-01-01", "2026-01-01T00:00:00.000Z"),
    run("backfill__2026-01-02", "2026-01-02T00:00:00.000Z"),
    run("manual__2026-01-02", "2026-01-02T00:00:00.000Z"),
    run("scheduled__2026-01-03", "2026-01-03T00:00:00.000Z"),
  ];

  it.each<[string, string, string | undefined]>([
    ["the first run has none", "2026-01-01T00:00:00.000Z", undefined],
    ["the run right before, of any type", "2026-01-02T12:00:00.000Z", "manual__2026-01-02"],
    ["ties on the logical date: the last run id", "2026-01-03T00:00:00.000Z", "manual__2026-01-02"],
    ["a later date than every run", "2026-02-01T00:00:00.000Z", "scheduled__2026-01-03"],
    ["the same instant with another offset", "2026-01-02T01:00:00+01:00", "scheduled__2026-01-01"],
  ])("%s", (_name, logicalDate, expected) => {
    expect(findPreviousRun(runs, logicalDate)?.run_id).toBe(expected);
  });

  it("does not depend on the order of the list", () => {
    expect(findPreviousRun([...runs].reverse(), "2026-01-03T00:00:00.000Z")?.run_id).toBe(
      "manual__2026-01-02",
    );
  });
});

describe("describePastBlock", () => {
  it.each<[TaskState, string]>([
    ["failed", `it is failed in the previous run ${RUN_ID} (flow retry that run, then this one)`],
    ["none", `it never ran in the previous run ${RUN_ID} (flow retry that run, then this one)`],
  ])("%s", (state, text) => {
    expect(describePastBlock({ kind: "blocked", runId: RUN_ID, state })).toBe(text);
  });
});
