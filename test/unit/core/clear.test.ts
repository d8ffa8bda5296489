import { describe, expect, it } from "vitest";
import { clearRun, selectTasksToClear, type ClearSelection } from "../../../src/core/clear.js";
import type { DagRun } from "../../../src/core/run.js";
import { newRun } from "../../../src/core/transitions.js";
import { instances, makeDag } from "./dag-fixture.js";

// extract -> transform -> load -> notify, and extract -> audit
const dag = makeDag({
  extract: [],
  transform: ["extract"],
  load: { upstream: ["transform"], retries: 2 },
  notify: ["load"],
  audit: ["extract"],
});
const at = new Date("2026-01-01T00:00:00Z");
const run: DagRun = {
  ...newRun({
    dag,
    runId: "manual__x",
    runType: "manual",
    logicalDate: at,
    dataIntervalStart: at,
    dataIntervalEnd: at,
    queuedAt: at,
    params: {},
  }),
  state: "failed",
  tasks: instances(dag, {
    extract: { state: "success", try_number: 1, result: { rows: 3 } },
    transform: { state: "success", try_number: 1 },
    load: { state: "failed", try_number: 3, max_tries: 3, reason: "exit code 1", exit_code: 1 },
    notify: { state: "upstream_failed", reason: 'upstream task "load" failed' },
    audit: { state: "failed", try_number: 1, reason: "exit code 2" },
  }),
};

describe("selectTasksToClear", () => {
  it.each<[string, ClearSelection, string[]]>([
    ["everything", {}, ["extract", "audit", "transform", "load", "notify"]],
    ["only failed: failed and upstream_failed", { onlyFailed: true }, ["audit", "load", "notify"]],
    ["a task by pattern", { taskPattern: /^load$/ }, ["load"]],
    ["a task and its downstream", { taskPattern: /^load$/, downstream: true }, ["load", "notify"]],
    [
      "a task and its upstream",
      { taskPattern: /^load$/, upstream: true },
      ["extract", "transform", "load"],
    ],
    [
      "upstream, only failed",
      { taskPattern: /^notify$/, upstream: true, onlyFailed: true },
      ["load", "notify"],
    ],
    [
      "a pattern that matches several",
      { taskPattern: /a/ },
      ["extract", "audit", "transform", "load"],
    ],
    ["a pattern that matches nothing", { taskPattern: /^zzz$/ }, []],
  ])("%s", (_name, selection, expected) => {
    expect(selectTasksToClear(dag, run, selection)).toEqual(expected);
  });
});

describe("clearRun", () => {
  const clearedAt = new Date("2026-02-01T12:00:00Z");
  const cleared = clearRun(
    dag,
    { ...run, start: "2026-01-01T00:00:01.000Z" },
    ["load", "notify"],
    clearedAt,
  );

  it("puts the run back to queued at the clear, its start gone (as Airflow's clear)", () => {
    expect(cleared).toMatchObject({
      state: "queued",
      queued_at: "2026-02-01T12:00:00.000Z",
      start: null,
      end: null,
      reason: null,
      owner: null,
    });
  });

  it("resets the selected instances and restores their retries, keeping the try count", () => {
    expect(cleared.tasks.load).toMatchObject({
      state: "none",
      try_number: 3,
      max_tries: 6,
      reason: null,
      exit_code: null,
    });
    expect(cleared.tasks.notify).toMatchObject({
      state: "none",
      try_number: 0,
      max_tries: 1,
      reason: null,
    });
  });

  it("leaves the other instances, results included, untouched", () => {
    expect(cleared.tasks.extract).toBe(run.tasks.extract);
    expect(cleared.tasks.extract!.result).toEqual({ rows: 3 });
    expect(cleared.tasks.audit).toBe(run.tasks.audit);
  });
});
