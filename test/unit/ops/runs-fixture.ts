import { formatRunId } from "../../../src/core/context.js";
import type { DagRun, RunType } from "../../../src/core/run.js";
import { makeRun } from "../../fixtures/store/runs.js";

/** A run of "etl" as flow names and dates it: `run_id` from formatRunId, logical date ISO. */
export function realRun(type: RunType, iso: string, overrides: Partial<DagRun> = {}): DagRun {
  const date = new Date(iso);
  return makeRun("etl", date.toISOString(), {
    run_id: formatRunId(type, date, type === "manual" && date.getUTCMilliseconds() !== 0),
    run_type: type,
    ...overrides,
  });
}
