import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, normalise, type Project } from "./harness.js";
import { hasAnsi } from "./helpers-files.js";

// status, tree and logs only read the state, so one project with a few runs serves every test
// here; the last test checks that none of them changed a byte.

// extract echoes the day, so each run's log differs; load logs through ctx.log at each level.
const ETL = `
import { dag, bash, fn } from "flow";
const extract = bash("extract", 'echo "extracting $FLOW_DS"');
const load = fn("load", async (ctx) => {
  ctx.log.info("loading", ctx.ds);
  ctx.log.warn("slow disk");
  ctx.log.error("one row rejected", { row: 7 });
  return { rows: 2 };
}, { upstream: [extract] });
export default dag({ id: "etl", tasks: [extract, load] });
`;

// b fails on 2026-02-01 only, so the first run fails and the second succeeds.
const BROKEN = `
import { dag, bash } from "flow";
const a = bash("a", "true");
const b = bash("b", 'if [ "$FLOW_DS" = 2026-02-01 ]; then echo failing >&2; exit 3; fi', { upstream: [a] });
const c = bash("c", "true", { upstream: [b] });
const d = bash("d", "true", { upstream: [c] });
const side = bash("side", "true", { upstream: [a] });
export default dag({ id: "broken", tasks: [a, b, c, d, side] });
`;

const FAN = `
import { dag, bash, chain } from "flow";
const extract = bash("extract", "true");
const clean = bash("clean", "true");
const enrich = bash("enrich", "true");
const load = bash("load", "true");
chain(extract, [clean, enrich], load);
export default dag({ id: "fan", tasks: [extract, clean, enrich, load] });
`;

// Try 1 finds no marker, creates it and fails; try 2 finds it and succeeds.
const FLAKY = `
import { dag, bash } from "flow";
const flaky = bash(
  "flaky",
  'if [ -f marker ]; then echo "try $FLOW_TRY_NUMBER: marker found"; else touch marker; echo "try $FLOW_TRY_NUMBER: no marker" >&2; exit 4; fi',
  { retries: 1, retryDelay: "1s" },
);
export default dag({ id: "flaky", tasks: [flaky] });
`;

const IDLE = `
import { dag, bash } from "flow";
export default dag({ id: "idle", tasks: [bash("wait", "true")] });
`;

const ETL_OLD = "manual__2026-01-05T00:00:00+00:00";
const ETL_NEW = "manual__2026-01-06T00:00:00+00:00";
const BROKEN_FAILED = "manual__2026-02-01T00:00:00+00:00";
const BROKEN_OK = "manual__2026-02-02T00:00:00+00:00";
const LEGEND =
  "✔ success  ✘ failed  ↑ upstream_failed  ↷ skipped  ↻ up_for_retry  ◷ up_for_reschedule  ● running  ◔ queued  ◌ scheduled  ○ none  ⊘ removed";

let project: Project;
let stateBeforeReads: Map<string, string>;

beforeAll(async () => {
  project = await makeProject({
    "pipelines/etl.ts": ETL,
    "pipelines/broken.ts": BROKEN,
    "pipelines/fan.ts": FAN,
    "pipelines/flaky.ts": FLAKY,
    "pipelines/idle.ts": IDLE,
  });
  // Runs of different DAGs are independent: start them together to keep the file fast.
  const [flaky, broken1, etl1] = await Promise.all([
    project.flow(["run", "flaky", "--date", "2026-03-01"]),
    project.flow(["run", "broken", "--date", "2026-02-01"]),
    project.flow(["run", "etl", "--date", "2026-01-05"]),
  ]);
  expect(flaky.exitCode).toBe(0);
  expect(broken1.exitCode).toBe(1);
  expect(etl1.exitCode).toBe(0);
  const [broken2, etl2] = await Promise.all([
    project.flow(["run", "broken", "--date", "2026-02-02"]),
    project.flow(["run", "etl", "--date", "2026-01-06"]),
  ]);
  expect(broken2.exitCode).toBe(0);
  expect(etl2.exitCode).toBe(0);
  stateBeforeReads = await project.snapshotState();
});
afterAll(async () => project?.cleanup());

describe("flow status", () => {
  it("shows the runs, newest last, then the tasks of the newest", async () => {
    const result = await project.flow(["status", "etl"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    expect(lines[1]).toMatch(/^│ run id +│ type +│ logical date +│ state +│ start +│ duration +│$/);
    expect(lines[3]).toMatch(
      /^│ manual__2026-01-05T00:00:00\+00:00 │ manual │ 2026-01-05T00:00:00Z │ ✔ success │ \S+ +│ \S+ +│$/,
    );
    expect(lines[4]).toMatch(
      /^│ manual__2026-01-06T00:00:00\+00:00 │ manual │ 2026-01-06T00:00:00Z │/,
    );
    expect(lines[5]).toMatch(/^└─/);
    expect(lines[6]).toBe("");
    expect(lines[8]).toMatch(/^│ task +│ state +│ tries │ duration │$/);
    expect(lines[10]).toMatch(/^│ extract │ ✔ success │ 1\/1 +│ \S+ +│$/);
    expect(lines[11]).toMatch(/^│ load +│ ✔ success │ 1\/1 +│ \S+ +│$/);
    expect(lines.at(-1)).toMatch(/^run manual__2026-01-06T00:00:00\+00:00 success in /);
    expect(normalise(lines.at(-1)!)).toBe("run manual__<time> success in <dur>: 2 success");
  });

  it("--run shows only that run's tasks", async () => {
    const result = await project.flow(["status", "broken", "--run", BROKEN_FAILED]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain("run id");
    expect(result.stdout).not.toContain(BROKEN_OK);
    expect(result.stdout).toMatch(/│ b +│ ✘ failed +│ 1\/1 +│ \S+ +│ exit code 3 +│/);
    expect(result.stdout).toMatch(
      /│ c +│ ↑ upstream_failed │ - +│ - +│ upstream task "b" failed +│/,
    );
    const summary = result.stdout.split("\n").at(-1)!;
    expect(summary.startsWith(`run ${BROKEN_FAILED} failed in `)).toBe(true);
    expect(normalise(summary)).toBe(
      "run manual__<time> failed in <dur>: 2 success, 1 failed, 2 upstream_failed",
    );
  });

  it("--limit N keeps the newest N runs", async () => {
    const result = await project.flow(["status", "etl", "--limit", "1"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(ETL_NEW);
    expect(result.stdout).not.toContain(ETL_OLD);
    const json = JSON.parse(
      (await project.flow(["status", "etl", "--limit", "1", "--json"])).stdout,
    );
    expect(json.runs.map((run: { run_id: string }) => run.run_id)).toEqual([ETL_NEW]);
  });

  it("says so when a DAG has no runs", async () => {
    const result = await project.flow(["status", "idle"]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: 'dag "idle" has no runs yet (start one with: flow run idle)',
      stderr: "",
    });
    const json = await project.flow(["status", "idle", "--json"]);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ dag_id: "idle", runs: [] });
  });

  it("--json has exactly the documented keys, runs oldest first", async () => {
    const result = await project.flow(["status", "broken", "--json"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json).sort()).toEqual(["dag_id", "runs"]);
    expect(json.dag_id).toBe("broken");
    expect(
      json.runs.map((run: { run_id: string; state: string }) => [run.run_id, run.state]),
    ).toEqual([
      [BROKEN_FAILED, "failed"],
      [BROKEN_OK, "success"],
    ]);
    const [failed] = json.runs;
    expect(Object.keys(failed).sort()).toEqual(
      [
        "run_id",
        "run_type",
        "logical_date",
        "data_interval_start",
        "data_interval_end",
        "state",
        "start",
        "end",
        "reason",
        "lost_at",
        "tasks",
      ].sort(),
    );
    expect(failed).toMatchObject({
      run_type: "manual",
      logical_date: "2026-02-01T00:00:00.000Z",
      start: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      end: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Object.keys(failed.tasks).sort()).toEqual(["a", "b", "c", "d", "side"]);
    for (const task of Object.values(failed.tasks) as Record<string, unknown>[])
      expect(Object.keys(task).sort()).toEqual(
        [
          "state",
          "try_number",
          "start",
          "end",
          "duration_ms",
          "reason",
          "max_tries",
          "next_try_at",
          "result",
          "interrupted_tries",
          "sensor_start",
          "worker",
          "lost",
        ].sort(),
      );
    expect(failed.tasks.b).toMatchObject({
      state: "failed",
      try_number: 1,
      duration_ms: expect.any(Number),
    });
    expect(failed.tasks.c).toMatchObject({ state: "upstream_failed", try_number: 0 });

    const one = JSON.parse(
      (await project.flow(["status", "broken", "--run", BROKEN_FAILED, "--json"])).stdout,
    );
    expect(one).toEqual({ dag_id: "broken", runs: [failed] });
  });
});

describe("flow tree", () => {
  it("prints the structure of a DAG that never ran, shared tasks referenced once", async () => {
    const result = await project.flow(["tree", "fan"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "fan  (no runs yet)",
        "extract",
        "├── clean",
        "│   └── load",
        "└── enrich",
        "    └── ↳ load (see above)",
        LEGEND,
      ].join("\n"),
    );
  });

  it("shows the latest run by default and an older one with --run, with symbols and reasons", async () => {
    const latest = await project.flow(["tree", "broken"], { env: { NO_COLOR: "1" } });
    expect(latest.exitCode).toBe(0);
    expect(latest.stdout.split("\n")[0]).toBe(`broken  ${BROKEN_OK}  success`);
    expect(normalise(latest.stdout)).toBe(
      [
        "broken  manual__<time>  success",
        "✔ a              success (<dur>)",
        "├── ✔ b          success (<dur>)",
        "│   └── ✔ c      success (<dur>)",
        "│       └── ✔ d  success (<dur>)",
        "└── ✔ side       success (<dur>)",
        LEGEND,
      ].join("\n"),
    );

    const failed = await project.flow(["tree", "broken", "--run", BROKEN_FAILED], {
      env: { NO_COLOR: "1" },
    });
    expect(failed.exitCode).toBe(0);
    expect(failed.stderr).toBe("");
    expect(failed.stdout.split("\n")[0]).toBe(`broken  ${BROKEN_FAILED}  failed`);
    expect(normalise(failed.stdout)).toBe(
      [
        "broken  manual__<time>  failed",
        "✔ a              success (<dur>)",
        "├── ✘ b          failed (<dur>)",
        "│   │   exit code 3",
        "│   └── ↑ c      upstream_failed",
        '│       │   upstream task "b" failed',
        "│       └── ↑ d  upstream_failed",
        '│               upstream task "c" could not run (upstream_failed)',
        "└── ✔ side       success (<dur>)",
        LEGEND,
      ].join("\n"),
    );
    expect(hasAnsi(failed.stdout)).toBe(false);
  });

  it("colours states with FORCE_COLOR=1 (failed red, upstream_failed orange) and never with NO_COLOR", async () => {
    const coloured = await project.flow(["tree", "broken", "--run", BROKEN_FAILED], {
      env: { FORCE_COLOR: "1", NO_COLOR: "" },
    });
    expect(coloured.exitCode).toBe(0);
    expect(hasAnsi(coloured.stdout)).toBe(true);
    expect(coloured.stdout).toContain("\u001b[38;2;255;0;0mfailed\u001b[39m");
    expect(coloured.stdout).toContain("\u001b[38;2;255;165;0mupstream_failed\u001b[39m");
    expect(coloured.stdout).toContain("\u001b[38;2;0;128;0msuccess\u001b[39m");

    const plain = await project.flow(["tree", "broken", "--run", BROKEN_FAILED], {
      env: { FORCE_COLOR: "", NO_COLOR: "1" },
    });
    expect(plain.exitCode).toBe(0);
    expect(hasAnsi(plain.stdout)).toBe(false);
    expect(plain.stdout).toContain("✘ b");
  });
});

describe("flow logs", () => {
  it("prints the latest try by default; --try 1 keeps the failed first try's log", async () => {
    const latest = await project.flow(["logs", "flaky", "flaky"]);
    const first = await project.flow(["logs", "flaky", "flaky", "--try", "1"]);
    const second = await project.flow(["logs", "flaky", "flaky", "--try", "2"]);
    expect(latest).toEqual({ exitCode: 0, stdout: "try 2: marker found", stderr: "" });
    expect(first).toEqual({ exitCode: 0, stdout: "try 1: no marker", stderr: "" });
    expect(second).toEqual(latest);
    const status = JSON.parse((await project.flow(["status", "flaky", "--json"])).stdout);
    expect(status.runs[0].tasks.flaky).toMatchObject({ state: "success", try_number: 2 });
  });

  it("--run picks the run; the latest by default", async () => {
    expect(await project.flow(["logs", "etl", "extract"])).toEqual({
      exitCode: 0,
      stdout: "extracting 2026-01-06",
      stderr: "",
    });
    expect(await project.flow(["logs", "etl", "extract", "--run", ETL_OLD])).toEqual({
      exitCode: 0,
      stdout: "extracting 2026-01-05",
      stderr: "",
    });
  });

  it("an empty log: says so on stderr, with how the try ended", async () => {
    const result = await project.flow(["logs", "broken", "a", "--run", BROKEN_FAILED]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `flow: try 1 of "a" wrote no output; it ended success (${project.stateDir}/logs/broken/${BROKEN_FAILED}/a.1.log)`,
    );
  });

  it("prints a function task's logger lines with their level", async () => {
    const result = await project.flow(["logs", "etl", "load", "--run", ETL_OLD]);
    expect(result.exitCode).toBe(0);
    expect(normalise(result.stdout)).toBe(
      [
        "[<time>] INFO loading 2026-01-05",
        "[<time>] WARN slow disk",
        "[<time>] ERROR one row rejected { row: 7 }",
      ].join("\n"),
    );
  });
});

describe("reading", () => {
  it("changed no state file", async () => {
    expect(await project.snapshotState()).toEqual(stateBeforeReads);
  });
});
