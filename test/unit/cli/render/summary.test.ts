import { describe, expect, it } from "vitest";
import {
  renderDagsTable,
  renderRunsTable,
  renderSummary,
} from "../../../../src/cli/render/summary.js";
import { runOf, ti } from "./fixtures.js";

const failedRun = runOf(
  [
    ti("extract", { state: "success", try_number: 1, duration_ms: 1200 }),
    ti("transform", {
      state: "failed",
      try_number: 3,
      max_tries: 3,
      duration_ms: 310,
      reason: "exit code 3\nTraceback...",
    }),
    ti("load", { state: "upstream_failed", reason: 'upstream task "transform" failed' }),
  ],
  { state: "failed" },
);

describe("renderSummary", () => {
  it("tabulates the tasks and ends with the run's state, duration and counts", () => {
    expect(renderSummary(failedRun, false)).toBe(
      [
        "┌───────────┬───────────────────┬───────┬──────────┬──────────────────────────────────┐",
        "│ task      │ state             │ tries │ duration │ reason                           │",
        "├───────────┼───────────────────┼───────┼──────────┼──────────────────────────────────┤",
        "│ extract   │ ✔ success         │ 1/1   │ 1.2s     │                                  │",
        "│ transform │ ✘ failed          │ 3/3   │ 310ms    │ exit code 3                      │",
        '│ load      │ ↑ upstream_failed │ -     │ -        │ upstream task "transform" failed │',
        "└───────────┴───────────────────┴───────┴──────────┴──────────────────────────────────┘",
        "run manual__2026-11-24T08:42:47Z failed in 3.2s: 1 success, 1 failed, 1 upstream_failed",
      ].join("\n"),
    );
  });

  it("leaves the reason column out when no task has a reason, and draws ASCII when asked", () => {
    const run = runOf([ti("extract", { state: "success", try_number: 1, duration_ms: 850 })]);
    expect(renderSummary(run, false, { unicode: false })).toBe(
      [
        "+---------+-----------+-------+----------+",
        "| task    | state     | tries | duration |",
        "+---------+-----------+-------+----------+",
        "| extract | + success | 1/1   | 850ms    |",
        "+---------+-----------+-------+----------+",
        "run manual__2026-11-24T08:42:47Z success in 3.2s: 1 success",
      ].join("\n"),
    );
  });

  it("drops success rows first when there are more tasks than maxRows", () => {
    const out = renderSummary(failedRun, false, { maxRows: 2 });
    expect(out).not.toContain("extract");
    expect(out).toContain("(1 success task rows not shown)");
  });

  it("says how long a run that has not ended has been going, given now", () => {
    const run = runOf([ti("extract", { state: "running", try_number: 1 })], {
      state: "running",
      end: null,
    });
    expect(
      renderSummary(run, false, { now: new Date("2026-11-24T08:43:47Z") })
        .split("\n")
        .at(-1),
    ).toBe("run manual__2026-11-24T08:42:47Z running for 1m 00s: 1 running");
  });

  it("adds the run's own reason, e.g. a deadlock", () => {
    const run = runOf([ti("load", { state: "none" })], {
      state: "failed",
      reason: "all tasks deadlocked",
    });
    expect(renderSummary(run, false).split("\n").at(-1)).toBe(
      "run manual__2026-11-24T08:42:47Z failed in 3.2s: 1 none (all tasks deadlocked)",
    );
  });

  it("has no escape codes with colour off and colours states with colour on", () => {
    expect(renderSummary(failedRun, false)).not.toContain("\u001b");
    expect(renderSummary(failedRun, true)).toContain("\u001b[38;2;255;0;0m✘ failed\u001b[39m");
  });
});

describe("renderRunsTable", () => {
  it("lists runs with type, dates, state and duration", () => {
    const running = runOf([], {
      run_id: "scheduled__2026-11-23T00:00:00+00:00",
      run_type: "scheduled",
      state: "running",
      end: null,
    });
    expect(
      renderRunsTable([failedRun, running], false, { now: new Date("2026-11-24T08:43:00Z") }),
    ).toBe(
      [
        "┌──────────────────────────────────────┬───────────┬──────────────────────┬───────────┬──────────────────────┬──────────┐",
        "│ run id                               │ type      │ logical date         │ state     │ start                │ duration │",
        "├──────────────────────────────────────┼───────────┼──────────────────────┼───────────┼──────────────────────┼──────────┤",
        "│ manual__2026-11-24T08:42:47Z         │ manual    │ 2026-11-24T08:42:47Z │ ✘ failed  │ 2026-11-24T08:42:47Z │ 3.2s     │",
        "│ scheduled__2026-11-23T00:00:00+00:00 │ scheduled │ 2026-11-24T08:42:47Z │ ● running │ 2026-11-24T08:42:47Z │ 13.0s    │",
        "└──────────────────────────────────────┴───────────┴──────────────────────┴───────────┴──────────────────────┴──────────┘",
      ].join("\n"),
    );
  });
});

describe("a run whose flow process died, as a reader shows it (lost)", () => {
  const lostAt = "2026-11-24T08:42:57.000Z";
  const lost = {
    ...runOf(
      [
        ti("extract", { state: "success", try_number: 1, duration_ms: 1200 }),
        ti("transform", {
          state: "up_for_retry",
          try_number: 1,
          max_tries: 2,
          end: lostAt,
          duration_ms: 8000,
          reason: "process lost: flow process 7 on box ended while the try was running",
        }),
      ],
      { state: "queued", end: null },
    ),
    lost: { at: lostAt, tasks: ["transform"] },
  };

  it("labels the run and its lost try, timed up to the moment it was last seen, not now", () => {
    const out = renderSummary(lost, false, { now: new Date("2026-11-24T09:42:47Z") }).split("\n");
    expect(out[4]).toBe(
      "│ transform │ ↻ up_for_retry (lost) │ 1/2   │ 8.0s     │ process lost: flow process 7 on box ended while the try was… │",
    );
    expect(out.at(-1)).toBe(
      "run manual__2026-11-24T08:42:47Z queued (lost) after 10.0s: 1 success, 1 up_for_retry",
    );
  });

  it("the runs table gives it its fixed duration beside queued (lost)", () => {
    const table = renderRunsTable([lost], false, { now: new Date("2026-11-24T09:42:47Z") });
    expect(table.split("\n")[3]).toBe(
      "│ manual__2026-11-24T08:42:47Z │ manual │ 2026-11-24T08:42:47Z │ ◔ queued (lost) │ 2026-11-24T08:42:47Z │ 10.0s    │",
    );
  });

  it("the DAG list labels its last state", () => {
    const row = {
      ...{ dagId: "etl", schedule: null, tasks: 2, lastRun: lost.run_id },
      ...{ lastState: "queued" as const, lastLost: true, file: "pipelines/etl.ts" },
    };
    expect(renderDagsTable([row], false)).toContain("│ ◔ queued (lost) │");
  });
});

describe("renderDagsTable", () => {
  it("lists DAGs; an unscheduled DAG says None, a DAG that never ran has dashes", () => {
    expect(
      renderDagsTable(
        [
          {
            dagId: "etl",
            schedule: "@daily",
            tasks: 12,
            lastRun: "manual__x",
            lastState: "success",
            file: "pipelines/etl.ts",
          },
          {
            dagId: "adhoc",
            schedule: null,
            tasks: 1234,
            lastRun: null,
            lastState: null,
            file: "pipelines/adhoc.ts",
          },
        ],
        false,
      ),
    ).toBe(
      [
        "┌────────┬──────────┬───────┬───────────┬────────────┬────────────────────┐",
        "│ dag id │ schedule │ tasks │ last run  │ last state │ file               │",
        "├────────┼──────────┼───────┼───────────┼────────────┼────────────────────┤",
        "│ etl    │ @daily   │    12 │ manual__x │ ✔ success  │ pipelines/etl.ts   │",
        "│ adhoc  │ None     │ 1,234 │ -         │ -          │ pipelines/adhoc.ts │",
        "└────────┴──────────┴───────┴───────────┴────────────┴────────────────────┘",
      ].join("\n"),
    );
  });
});
