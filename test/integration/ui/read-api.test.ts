import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { call, ETL, runPath, startUi, type UiProcess } from "./ui-server.js";

// The read endpoints of `flow ui` against a state dir made by real flow commands: a backfill of
// 29 days (success) and one failed manual run, 30 runs in all.
let project: Project;
let ui: UiProcess;
const FAILED = "manual__2026-02-01T00:00:00+00:00";
const FIRST = "backfill__2026-01-01T00:00:00+00:00";

beforeAll(async () => {
  project = await makeProject({ "pipelines/etl.ts": ETL, ok: "" });
  const backfill = await project.flow([
    "backfill",
    "etl",
    "--start",
    "2026-01-01",
    "--end",
    "2026-01-29",
  ]);
  expect(backfill.exitCode, backfill.stderr).toBe(0);
  await rm(join(project.dir, "ok"));
  const failed = await project.flow(["run", "etl", "--date", "2026-02-01"]);
  expect(failed.exitCode).toBe(1);
  ui = await startUi(project);
}, 120_000);

afterAll(async () => {
  if (ui) expect(await ui.stop()).toBe(0);
  await project?.cleanup();
});

describe("flow ui: reads", () => {
  it("lists the DAGs with their last runs, next run and totals", async () => {
    const reply = await call(ui, "/api/dags");
    expect(reply.status).toBe(200);
    const [etl] = reply.json.dags;
    expect(etl).toMatchObject({
      dag_id: "etl",
      description: null,
      tags: [],
      schedule: "@daily",
      timezone: "UTC",
      file: "pipelines/etl.ts",
      total_runs: 30,
    });
    expect(etl.next_run).toEqual({
      logical_date: expect.any(String),
      data_interval_start: expect.any(String),
      data_interval_end: expect.any(String),
      due_at: expect.any(String),
    });
    expect(etl.last_runs).toHaveLength(10);
    expect(etl.last_runs[0]).toEqual({
      run_id: FAILED,
      run_type: "manual",
      state: "failed",
      logical_date: "2026-02-01T00:00:00.000Z",
      lost_at: null,
    });
    expect(etl.last_runs[1].run_type).toBe("backfill");
    expect(reply.json.import_errors).toEqual([]);
  });

  it("shows import errors with their file and line", async () => {
    await project.write("pipelines/broken.ts", 'export const x = 1;\nthrow new Error("boom");\n');
    try {
      const reply = await call(ui, "/api/dags");
      expect(reply.json.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(["etl"]);
      expect(reply.json.import_errors).toEqual([
        { file: "pipelines/broken.ts", line: 2, message: expect.stringContaining("boom") },
      ]);
      // A DAG that may be in the broken file: 500 with the reason, and one line on the server's
      // stderr, not a bug's stack trace.
      const grid = await call(ui, "/api/dags/broken/grid");
      expect(grid.status).toBe(500);
      expect(grid.json.error).toContain('dag "broken" is not defined by any pipeline');
      // The server's stderr comes through a pipe of its own: it may arrive after the reply.
      const brokenLines = (): string[] =>
        ui
          .stderr()
          .split("\n")
          .filter((line) => line.includes('dag "broken"'));
      await vi.waitFor(() => expect(brokenLines()).not.toEqual([]), { timeout: 5_000 });
      expect(brokenLines()).toEqual([
        expect.stringMatching(/^flow ui: dag "broken" is not defined/),
      ]);
      expect(ui.stderr()).not.toContain("internal error");
    } finally {
      await rm(join(project.dir, "pipelines/broken.ts"));
    }
  });

  it("pages the grid: 25 runs newest first, then the other 5", async () => {
    const first = await call(ui, "/api/dags/etl/grid");
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ total: 30, offset: 0, limit: 25 });
    expect(first.json.dag).toEqual({
      dag_id: "etl",
      schedule: "@daily",
      timezone: "UTC",
      tasks: [
        {
          task_id: "extract",
          kind: "bash",
          upstream: [],
          downstream: ["transform"],
          trigger_rule: "all_success",
          depth: 0,
        },
        {
          task_id: "transform",
          kind: "bash",
          upstream: ["extract"],
          downstream: ["load"],
          trigger_rule: "all_success",
          depth: 1,
        },
        {
          task_id: "load",
          kind: "bash",
          upstream: ["transform"],
          downstream: [],
          trigger_rule: "all_success",
          depth: 2,
        },
      ],
    });
    const runs = first.json.runs;
    expect(runs).toHaveLength(25);
    expect(runs[0].run_id).toBe(FAILED);
    expect(runs[1].run_id).toBe("backfill__2026-01-29T00:00:00+00:00");
    expect(Object.keys(runs[0])).toEqual([
      "run_id",
      "run_type",
      "state",
      "logical_date",
      "data_interval_start",
      "data_interval_end",
      "queued_at",
      "start",
      "end",
      "reason",
      "lost_at",
      "tasks",
    ]);
    expect(runs[0].tasks.transform).toEqual({
      state: "failed",
      try_number: 1,
      max_tries: 1,
      interrupted_tries: 0,
      start: expect.any(String),
      end: expect.any(String),
      duration_ms: expect.any(Number),
      reason: expect.any(String),
      next_try_at: null,
      exit_code: 1,
      worker: null,
      lost: false,
    });
    expect(runs[0].tasks.load.state).toBe("upstream_failed");
    const second = await call(ui, "/api/dags/etl/grid?offset=25&limit=25");
    expect(second.json.runs.map((r: { run_id: string }) => r.run_id)).toEqual(
      [5, 4, 3, 2, 1].map((day) => `backfill__2026-01-0${day}T00:00:00+00:00`),
    );
  });

  it("lays out the graph of the latest run, or of the run asked for", async () => {
    const latest = await call(ui, "/api/dags/etl/graph");
    expect(latest.status).toBe(200);
    expect(latest.json.run_id).toBe(FAILED);
    expect(latest.json.width).toBeGreaterThan(0);
    const states = Object.fromEntries(
      latest.json.nodes.map((n: { task_id: string; state: string }) => [n.task_id, n.state]),
    );
    expect(states).toEqual({ extract: "success", transform: "failed", load: "upstream_failed" });
    const [extract, transform] = latest.json.nodes;
    expect(extract).toMatchObject({ trigger_rule: "all_success", default_rule: true, height: 36 });
    expect(transform.x).toBeGreaterThan(extract.x); // left to right
    expect(latest.json.edges).toHaveLength(2);
    expect(latest.json.edges[0]).toMatchObject({ from: "extract", to: "transform" });
    expect(latest.json.edges[0].points.length).toBeGreaterThan(1);
    const chosen = await call(ui, `/api/dags/etl/graph?run=${encodeURIComponent(FIRST)}`);
    expect(chosen.json.run_id).toBe(FIRST);
    expect(chosen.json.nodes.every((n: { state: string }) => n.state === "success")).toBe(true);
  });

  it("reads one run with its DAG id", async () => {
    const reply = await call(ui, runPath("etl", FAILED));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      dag_id: "etl",
      run_id: FAILED,
      run_type: "manual",
      state: "failed",
    });
  });

  it("reads a log from an offset, and the raw log as text/plain", async () => {
    const path = runPath("etl", FIRST, "/tasks/extract/log");
    const whole = await call(ui, path);
    expect(whole.status).toBe(200);
    expect(whole.json).toMatchObject({
      try_number: 1,
      tries: 1,
      state: "success",
      offset: 0,
      exists: true,
    });
    expect(whole.json.data).toContain("extracting: café ok");
    const bytes = Buffer.from(whole.json.data);
    expect(whole.json.next_offset).toBe(bytes.length);
    expect(whole.json.size).toBe(bytes.length);
    const rest = await call(ui, `${path}?offset=5&try=1`);
    expect(rest.json.data).toBe(bytes.subarray(5).toString());
    expect(rest.json.offset).toBe(5);
    const end = await call(ui, `${path}?offset=${bytes.length}`);
    expect(end.json).toMatchObject({ data: "", next_offset: bytes.length });
    const raw = await call(ui, `${path}/raw?try=1`);
    expect(raw.status).toBe(200);
    expect(raw.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(raw.text).toBe(whole.json.data);
  });

  it("says a task has not started, rather than failing", async () => {
    const reply = await call(ui, runPath("etl", FAILED, "/tasks/load/log"));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      try_number: 0,
      tries: 0,
      state: "upstream_failed",
      data: "",
      exists: false,
    });
  });

  it("charts a task's durations over the runs, oldest first", async () => {
    const reply = await call(ui, "/api/dags/etl/durations?task=extract&limit=5");
    expect(reply.status).toBe(200);
    expect(reply.json.task_id).toBe("extract");
    expect(reply.json.points.map((p: { run_id: string }) => p.run_id)).toEqual([
      "backfill__2026-01-26T00:00:00+00:00",
      "backfill__2026-01-27T00:00:00+00:00",
      "backfill__2026-01-28T00:00:00+00:00",
      "backfill__2026-01-29T00:00:00+00:00",
      FAILED,
    ]);
    expect(reply.json.points[0]).toEqual({
      run_id: "backfill__2026-01-26T00:00:00+00:00",
      logical_date: "2026-01-26T00:00:00.000Z",
      state: "success",
      duration_ms: expect.any(Number),
      try_number: 1,
      lost: false,
    });
  });

  it.each([
    ["an unknown dag", "/api/dags/nope/grid", 404, 'unknown dag "nope"'],
    ["an unknown dag's graph", "/api/dags/nope/graph", 404, 'unknown dag "nope"'],
    ["an unknown run", runPath("etl", "manual__1999-01-01T00:00:00+00:00"), 404, "unknown run"],
    ["an unknown run's graph", "/api/dags/etl/graph?run=zzz", 404, 'unknown run "zzz"'],
    ["an unknown task's log", runPath("etl", FIRST, "/tasks/nope/log"), 404, 'unknown task "nope"'],
    [
      "an unknown task's durations",
      "/api/dags/etl/durations?task=nope",
      404,
      'unknown task "nope"',
    ],
    ["a try past the last", runPath("etl", FIRST, "/tasks/extract/log?try=2"), 400, "has 1 try"],
    ["a negative offset", runPath("etl", FIRST, "/tasks/extract/log?offset=-1"), 400, "offset"],
    ["a limit of 0", "/api/dags/etl/grid?limit=0", 400, "limit must be"],
    ["a dot-name id", "/api/dags/..hidden/grid", 400, "cannot be stored"],
    ["no task for durations", "/api/dags/etl/durations", 400, "task id is missing"],
    ["an unknown URL", "/api/nothing", 404, "no such URL"],
  ])("answers %s with %i and a message", async (_name, path, status, message) => {
    const before = await project.snapshotState();
    const reply = await call(ui, path);
    expect(reply.status).toBe(status);
    expect(reply.json.error).toContain(message);
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    expect(await project.snapshotState()).toEqual(before);
  });

  it("serves the page shell and the client bundle, with the security headers", async () => {
    for (const path of ["/", "/dags/etl", `/dags/etl/runs/${encodeURIComponent(FIRST)}`]) {
      const page = await call(ui, path);
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.text).toContain('<script type="module" src="/static/app.js"></script>');
      expect(page.text).not.toMatch(/<script>/);
    }
    const app = await call(ui, "/static/app.js");
    expect(app.status).toBe(200);
    expect(app.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect((await call(ui, "/static/..%2Fbundle%2Fflow.js")).status).toBe(404);
    const reply = await call(ui, "/api/dags/nope/grid");
    expect(reply.headers).toMatchObject({
      "content-security-policy":
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
