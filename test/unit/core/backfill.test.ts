import { describe, expect, it } from "vitest";
import {
  planBackfill,
  type BackfillInterval,
  type BackfillOptions,
} from "../../../src/core/backfill.js";
import type { DagRun, RunType } from "../../../src/core/run.js";
import type { RunState } from "../../../src/core/states.js";

const day = (d: number): BackfillInterval => ({
  start: new Date(Date.UTC(2026, 0, d)),
  end: new Date(Date.UTC(2026, 0, d + 1)),
});
const intervals = [day(1), day(2), day(3), day(4)];

function run(d: number, state: RunState, type: RunType = "scheduled"): DagRun {
  const date = day(d).start.toISOString();
  return {
    dag_id: "etl",
    run_id: `${type}__${date}`,
    run_type: type,
    logical_date: date,
    data_interval_start: date,
    data_interval_end: day(d).end.toISOString(),
    state,
    queued_at: date,
    start: null,
    end: null,
    reason: null,
    params: {},
    owner: null,
    tasks: {},
  };
}

const existing = [
  run(1, "success"),
  run(2, "failed", "backfill"),
  run(3, "queued"),
  run(4, "success", "manual"),
];

describe("planBackfill", () => {
  it.each<[string, BackfillOptions, string[]]>([
    [
      "default: skip success and failed, resume unfinished, create missing (a manual run does not count)",
      {},
      ["skip", "skip", "resume", "create"],
    ],
    [
      "--rerun-failed reruns the failed run",
      { rerunFailed: true },
      ["skip", "rerun", "resume", "create"],
    ],
    ["--reset reruns every finished run", { reset: true }, ["rerun", "rerun", "resume", "create"]],
  ])("%s", (_name, options, actions) => {
    expect(planBackfill(intervals, existing, options).map((step) => step.action)).toEqual(actions);
  });

  it("names new runs backfill__<logical date> and keeps the ids of existing ones", () => {
    expect(planBackfill(intervals, existing).map((step) => step.runId)).toEqual([
      "scheduled__2026-01-01T00:00:00.000Z",
      "backfill__2026-01-02T00:00:00.000Z",
      "scheduled__2026-01-03T00:00:00.000Z",
      "backfill__2026-01-04T00:00:00+00:00",
    ]);
  });

  it("goes newest first with --reverse", () => {
    expect(
      planBackfill(intervals, [], { reverse: true }).map((step) =>
        step.interval.start.getUTCDate(),
      ),
    ).toEqual([4, 3, 2, 1]);
  });
});
