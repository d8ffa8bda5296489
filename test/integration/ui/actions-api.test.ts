import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { spawnFixture } from "../store/run-fixture.js";
import { call, ETL, runPath, startUi, waitFor, type UiProcess } from "./ui-server.js";

// The actions of `flow ui`, each through the ops layer, executed by a detached `flow run`.
let project: Project;
let ui: UiProcess;
const runId = (day: string): string => `manual__2026-01-${day}T00:00:00+00:00`;

beforeAll(async () => {
  project = await makeProject({ "pipelines/etl.ts": ETL });
  ui = await startUi(project);
}, 60_000);

afterAll(async () => {
  if (ui) expect(await ui.stop()).toBe(0);
  await project?.cleanup();
});

afterEach(async () => {
  await rm(join(project.dir, "ok"), { force: true });
  await rm(join(project.dir, "executions.log"), { force: true });
});

const allowTransform = (): Promise<void> => writeFile(join(project.dir, "ok"), "");

// How often each task ran, from executions.log.
async function executions(): Promise<Record<string, number>> {
  const text = await project.read("executions.log").catch(() => "");
  const counts: Record<string, number> = {};
  for (const id of text.split("\n").filter(Boolean)) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

// The view refuses retry/mark/clear while the `flow run` it started for a run lives.
const starting = (run: string): string =>
  `run "${run}" of dag "etl" is already being started or run (flow process `;

// The run has ended; its `flow run` exits a moment later, and until then the refusal stands.
async function retryOnceExited(run: string) {
  const until = Date.now() + 10_000;
  for (;;) {
    const reply = await call(ui, runPath("etl", run, "/retry"), { body: {} });
    if (!String(reply.json?.error).startsWith(starting(run)) || Date.now() > until) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// A failed run made by the CLI: transform fails, load is upstream_failed.
async function failedRun(day: string): Promise<string> {
  const result = await project.flow(["run", "etl", "--date", `2026-01-${day}`]);
  expect(result.exitCode).toBe(1);
  await rm(join(project.dir, "executions.log"), { force: true });
  return runId(day);
}

const finished = (run: { state: string }): boolean =>
  run.state === "success" || run.state === "failed";

describe("flow ui: actions", () => {
  it("triggers a run with a date and params: 201, then a detached flow run executes it", async () => {
    await allowTransform();
    const reply = await call(ui, "/api/dags/etl/runs", {
      body: { date: "2026-01-01", params: { region: "eu" } },
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ run_id: runId("01") });
    const done = await waitFor(ui, runPath("etl", runId("01")), finished);
    expect(done.json.state).toBe("success");
    expect(await executions()).toEqual({ extract: 1, transform: 1, load: 1 });
    const stored = JSON.parse(await project.read(`state/runs/etl/${runId("01")}.json`));
    expect(stored.run.params).toEqual({ region: "eu" });
  });

  it("reads a date without an offset in the DAG's timezone, as flow run --date does", async () => {
    await project.write(
      "pipelines/paris.ts",
      'import { dag, bash } from "flow";\nexport default dag({ id: "paris", timezone: "Europe/Paris", tasks: [bash("t", "true")] });\n',
    );
    const reply = await call(ui, "/api/dags/paris/runs", { body: { date: "2026-03-01" } });
    expect(reply.status).toBe(201);
    await waitFor(ui, runPath("paris", reply.json.run_id), finished);
    const cli = await project.flow(["run", "paris", "--date", "2026-03-01"]);
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr).toContain(reply.json.run_id);
    const run = await call(ui, runPath("paris", reply.json.run_id));
    expect(run.json.logical_date).toBe("2026-02-28T23:00:00.000Z");
  });

  it("previews a clear, applies exactly it, and the cleared runs run again", async () => {
    const run = await failedRun("02");
    const body = { run_id: run, only_failed: true };
    const preview = await call(ui, "/api/dags/etl/clear/preview", { body });
    expect(preview.status).toBe(200);
    expect(preview.json).toEqual({
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      instances: [
        { run_id: run, task_id: "transform", state: "failed", try_number: 1, max_tries: 1 },
        { run_id: run, task_id: "load", state: "upstream_failed", try_number: 0, max_tries: 1 },
      ],
    });
    await allowTransform();
    const apply = await call(ui, "/api/dags/etl/clear", {
      body: { ...body, fingerprint: preview.json.fingerprint },
    });
    expect(apply.status).toBe(200);
    expect(apply.json).toEqual({ instances: preview.json.instances, runs: [run] });
    const done = await waitFor(ui, runPath("etl", run), finished);
    expect(done.json.state).toBe("success");
    expect(done.json.tasks.transform.try_number).toBe(2);
    expect(await executions()).toEqual({ transform: 1, load: 1 });
  });

  it("refuses to apply a clear whose plan changed since the preview (409), clearing nothing", async () => {
    const run = await failedRun("03");
    const body = { run_id: run, only_failed: true };
    const preview = await call(ui, "/api/dags/etl/clear/preview", { body });
    // Meanwhile, someone marks transform success on the command line: load alone is left to clear.
    const mark = await project.flow([
      "mark",
      "etl",
      "success",
      "--run",
      run,
      "--task",
      "transform",
    ]);
    expect(mark.exitCode).toBe(0);
    const before = await project.snapshotState();
    const apply = await call(ui, "/api/dags/etl/clear", {
      body: { ...body, fingerprint: preview.json.fingerprint },
    });
    expect(apply.status).toBe(409);
    expect(apply.json).toEqual({
      error: 'the clear plan of dag "etl" changed since it was previewed: nothing cleared',
      hint: "preview again and apply the new plan",
    });
    expect(await project.snapshotState()).toEqual(before);
  });

  it.each([
    ["no fingerprint", { only_failed: true }, 400, '"fingerprint" is missing'],
    ["a bad regex", { task: "(", fingerprint: "x" }, 400, "not a valid regular expression"],
    [
      "run_id with start",
      { run_id: "x", start: "2026-01-01", fingerprint: "x" },
      400,
      "takes no start",
    ],
    [
      "start after end",
      { start: "2026-02-01", end: "2026-01-01", fingerprint: "x" },
      400,
      "is after",
    ],
    ["an unknown run", { run_id: "manual__1999", fingerprint: "x" }, 404, "unknown run"],
    [
      "a stale fingerprint",
      { only_failed: true, fingerprint: "0000000000000000" },
      409,
      "changed since",
    ],
  ])("refuses a clear with %s, changing nothing", async (_name, body, status, message) => {
    await failedRun("04").catch(() => undefined);
    const before = await project.snapshotState();
    const reply = await call(ui, "/api/dags/etl/clear", { body });
    expect(reply.status).toBe(status);
    expect(reply.json.error).toContain(message);
    expect(await project.snapshotState()).toEqual(before);
  });

  it("retries a failed run from the point of failure", async () => {
    const run = await failedRun("05");
    await allowTransform();
    const reply = await call(ui, runPath("etl", run, "/retry"), { body: {} });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      run_id: run,
      cleared: [
        { task_id: "transform", state: "failed" },
        { task_id: "load", state: "upstream_failed" },
      ],
    });
    const done = await waitFor(ui, runPath("etl", run), finished);
    expect(done.json.state).toBe("success");
    expect(await executions()).toEqual({ transform: 1, load: 1 });
    const again = await retryOnceExited(run);
    expect(again.status).toBe(409);
    expect(again.json.error).toBe(
      `run ${run} is success with no failed or upstream_failed task: nothing to retry`,
    );
  });

  it("marks a task instance, and the trigger rules decide what follows", async () => {
    const run = await failedRun("06");
    const reply = await call(ui, runPath("etl", run, "/mark"), {
      body: { task: "transform", state: "success" },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.run_id).toBe(run);
    expect(reply.json.changed[0]).toEqual({ task_id: "transform", was: "failed", now: "success" });
    expect(reply.json.run_state).toEqual(expect.any(String));
    const stored = await call(ui, runPath("etl", run));
    expect(stored.json.tasks.transform.state).toBe("success");
  });

  it.each([
    ["an unknown state", { task: "transform", state: "running" }, 400, '"state" must be one of'],
    ["no task", { state: "success" }, 400, "task id is missing"],
    ["an unknown task", { task: "nope", state: "success" }, 404, 'unknown task "nope"'],
  ])("refuses a mark with %s, changing nothing", async (_name, body, status, message) => {
    const run = await failedRun("07").catch(() => runId("07"));
    const before = await project.snapshotState();
    const reply = await call(ui, runPath("etl", run, "/mark"), { body });
    expect(reply.status).toBe(status);
    expect(reply.json.error).toContain(message);
    expect(await project.snapshotState()).toEqual(before);
  });

  it("answers unknown dags and runs with 404, changing nothing", async () => {
    const before = await project.snapshotState();
    const dag = await call(ui, "/api/dags/nope/runs", { body: {} });
    expect(dag.status).toBe(404);
    expect(dag.json.error).toContain('unknown dag "nope"');
    const run = await call(ui, runPath("etl", "manual__1999", "/retry"), { body: {} });
    expect(run.status).toBe(404);
    expect(run.json.error).toContain('unknown run "manual__1999"');
    expect(await project.snapshotState()).toEqual(before);
  });

  it("refuses to touch a run held by a live process (409), with the CLI's message", async () => {
    const run = await failedRun("08");
    const holder = spawnFixture("hold-run.ts", [project.stateDir, "etl", run, "10000"]);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on(
          "data",
          (chunk: Buffer) => chunk.toString().includes("held") && resolve(),
        );
        holder.once("exit", () => reject(new Error("hold-run exited")));
      });
      const message = `run "${run}" of dag "etl" is being run by another flow process (pid ${holder.pid})`;
      const cli = await project.flow([
        "mark",
        "etl",
        "success",
        "--run",
        run,
        "--task",
        "transform",
      ]);
      expect(cli.stderr.split("\n")[0]).toBe(`flow: ${message}`);
      const before = await project.snapshotState();
      for (const [path, body] of [
        [runPath("etl", run, "/mark"), { task: "transform", state: "success" }],
        [runPath("etl", run, "/retry"), {}],
      ] as const) {
        const reply = await call(ui, path, { body });
        expect(reply.status, path).toBe(409);
        expect(reply.json.error).toBe(message);
      }
      // The preview refuses as the apply would; the apply refuses whatever the fingerprint.
      const preview = await call(ui, "/api/dags/etl/clear/preview", { body: { run_id: run } });
      expect(preview.status).toBe(409);
      expect(preview.json.error).toBe(message);
      const clear = await call(ui, "/api/dags/etl/clear", {
        body: { run_id: run, fingerprint: "0000000000000000" },
      });
      expect(clear.status).toBe(409);
      expect(clear.json.error).toBe(message);
      expect(await project.snapshotState()).toEqual(before);
    } finally {
      holder.kill("SIGKILL");
    }
  });
});

// An action that starts a detached `flow run` (trigger, clear, retry), then at once another action
// on the same run: before that process takes the run's lock (about half a second after the
// spawn) the run looked free, so a second retry answered 200 and started a second `flow run`,
// which failed on the lock. The server now refuses while the process it started lives.
describe("flow ui: a run whose flow run is starting", () => {
  // The output of the run's detached `flow run`s: one that met the lock would say so here.
  const runnerLog = (run: string): Promise<string> =>
    project.read(`state/logs/etl/${run}/.flow-run.log`).catch(() => "");

  it("refuses a second retry, a mark and a clear (409) while the first retry's flow run starts", async () => {
    const run = await failedRun("09");
    await allowTransform();
    // A clear of extract by dates, previewed before the retry (which leaves extract as it is).
    const byDate = { start: "2026-01-09", end: "2026-01-09", task: "extract" };
    const preview = await call(ui, "/api/dags/etl/clear/preview", { body: byDate });
    expect(preview.json.instances).toHaveLength(1);
    const first = await call(ui, runPath("etl", run, "/retry"), { body: {} });
    expect(first.status).toBe(200);
    const replies = await Promise.all([
      call(ui, runPath("etl", run, "/retry"), { body: {} }),
      call(ui, runPath("etl", run, "/mark"), { body: { task: "load", state: "success" } }),
      call(ui, "/api/dags/etl/clear", { body: { run_id: run, fingerprint: "0000000000000000" } }),
      call(ui, "/api/dags/etl/clear", {
        body: { ...byDate, fingerprint: preview.json.fingerprint },
      }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(409);
      expect(reply.json.error).toMatch(
        /^run "\S+" of dag "etl" is already being started or run \(flow process \d+, started by this view\): nothing done; try again once it has finished$/,
      );
      expect(reply.json.error.startsWith(starting(run))).toBe(true);
    }
    const done = await waitFor(ui, runPath("etl", run), finished);
    expect(done.json.state).toBe("success");
    expect(await executions()).toEqual({ transform: 1, load: 1 });
    expect(await runnerLog(run)).not.toContain("flow process");
    // Its flow run has exited: the run's own state answers again.
    const after = await retryOnceExited(run);
    expect(after.status).toBe(409);
    expect(after.json.error).toBe(
      `run ${run} is success with no failed or upstream_failed task: nothing to retry`,
    );
  });

  it("refuses to retry a run just triggered (409), and the trigger's flow run executes it once", async () => {
    await allowTransform();
    const trigger = await call(ui, "/api/dags/etl/runs", { body: { date: "2026-01-10" } });
    expect(trigger.status).toBe(201);
    const run: string = trigger.json.run_id;
    const retry = await call(ui, runPath("etl", run, "/retry"), { body: {} });
    expect(retry.status).toBe(409);
    expect(retry.json.error.startsWith(starting(run))).toBe(true);
    const done = await waitFor(ui, runPath("etl", run), finished);
    expect(done.json.state).toBe("success");
    expect(await executions()).toEqual({ extract: 1, transform: 1, load: 1 });
    expect(await runnerLog(run)).not.toContain("flow process");
  });
});
