import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import {
  formatBackfillBar,
  LiveBackfillProgress,
  PlainBackfillProgress,
  type BackfillTally,
} from "../../../../src/cli/render/backfill-progress.js";
import type { DagRun } from "../../../../src/core/run.js";

function sink(): { write(text: string): void; text(): string } {
  const writes: string[] = [];
  return { write: (text) => void writes.push(text), text: () => writes.join("") };
}

const t0 = new Date("2026-11-24T08:42:50.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

function run(day: number, state: DagRun["state"], ms = 1500): DagRun {
  const date = `2026-01-0${day}T00:00:00.000Z`;
  return {
    dag_id: "etl",
    run_id: `backfill__2026-01-0${day}T00:00:00+00:00`,
    run_type: "backfill",
    logical_date: date,
    data_interval_start: date,
    data_interval_end: date,
    state,
    queued_at: t0.toISOString(),
    start: t0.toISOString(),
    end: state === "queued" ? null : at(ms).toISOString(),
    reason: null,
    params: {},
    owner: null,
    tasks: {},
  };
}

const tally = (patch: Partial<BackfillTally>): BackfillTally => ({
  total: 10,
  done: 0,
  failed: 0,
  running: 0,
  elapsedMs: 0,
  ...patch,
});

describe("formatBackfillBar", () => {
  it.each([
    [
      "nothing done yet: no estimate",
      tally({ running: 2, elapsedMs: 1000 }),
      "[░░░░░░░░░░] 0/10 runs  2 running  1.0s elapsed",
    ],
    [
      "part done: failures, running, estimate from the pace so far",
      tally({ done: 4, failed: 1, running: 2, elapsedMs: 8000 }),
      "[████░░░░░░] 4/10 runs  1 failed  2 running  8.0s elapsed  ~12.0s left",
    ],
    [
      "all done: no estimate",
      tally({ done: 10, elapsedMs: 20_000 }),
      "[██████████] 10/10 runs  20.0s elapsed",
    ],
  ])("%s", (_name, value, expected) => {
    expect(formatBackfillBar(value, { color: false, width: 10 })).toBe(expected);
  });

  it("has an ASCII form", () => {
    expect(formatBackfillBar(tally({ done: 5 }), { color: false, width: 4, unicode: false })).toBe(
      "[##--] 5/10 runs  0ms elapsed  ~0ms left",
    );
  });
});

describe("PlainBackfillProgress", () => {
  it("writes one timestamped line per finished run, interrupted runs included", () => {
    const out = sink();
    const progress = new PlainBackfillProgress(out, { total: 3, color: false, now: () => t0 });
    progress.runStarted();
    progress.runStarted();
    progress.runFinished(run(1, "success"), at(1500));
    progress.runFinished(run(2, "failed", 200), at(1600));
    progress.runStarted();
    progress.runFinished(run(3, "queued"), at(2000));
    progress.close();
    expect(out.text()).toBe(
      [
        "2026-11-24T08:42:51Z  backfill__2026-01-01T00:00:00+00:00  success in 1.5s  (1/3)",
        "2026-11-24T08:42:51Z  backfill__2026-01-02T00:00:00+00:00  failed in 200ms  (2/3)",
        "2026-11-24T08:42:52Z  backfill__2026-01-03T00:00:00+00:00  interrupted (queued, resumes next time)  (2/3)",
        "",
      ].join("\n"),
    );
  });
});

describe("LiveBackfillProgress", () => {
  it("keeps a line for failed runs only and leaves the final bar on screen", async () => {
    const out = sink();
    let now = t0;
    const progress = new LiveBackfillProgress(out, {
      total: 2,
      color: false,
      now: () => now,
      intervalMs: 0,
    });
    await progress.ready;
    progress.runStarted();
    progress.runStarted();
    progress.runFinished(run(1, "success"));
    progress.runFinished(run(2, "failed"));
    now = at(3000);
    progress.close();
    const screen = stripVTControlCharacters(out.text());
    expect(screen).toContain("backfill__2026-01-02T00:00:00+00:00  failed in 1.5s  (2/2)\n");
    expect(screen).not.toContain("backfill__2026-01-01");
    expect(screen).toMatch(/\] 2\/2 runs {2}1 failed {2}3\.0s elapsed\n$/);
  });
});

describe("LiveBackfillProgress on a terminal that reports no size", () => {
  it("still draws the bar", async () => {
    const out = { ...sink(), columns: 0, rows: 0 };
    const progress = new LiveBackfillProgress(out, { total: 1, color: false, intervalMs: 0 });
    await progress.ready;
    progress.runStarted();
    progress.close();
    expect(stripVTControlCharacters(out.text())).toContain("0/1 runs  1 running");
  });

  it("writes the final bar as a plain line when the backfill ends before log-update loads", () => {
    const out = sink();
    const progress = new LiveBackfillProgress(out, { total: 1, color: false, intervalMs: 0 });
    progress.runStarted();
    progress.close();
    expect(out.text()).toMatch(/0\/1 runs {2}1 running .*\n$/);
  });
});
