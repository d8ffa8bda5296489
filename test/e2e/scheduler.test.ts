import { spawnSync } from "node:child_process";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/scheduler/process-alive.js";
import { waitFor as pollFor } from "./processes.js";
import { makeProject, statusJson, type Project } from "./harness.js";

const NOW = "2026-01-04T06:00:00Z";

// An @daily DAG whose one task appends its run id to ran.txt (in the project dir) after `sleep`.
function pipeline(id: string, options: string, sleep = 0): string {
  return `
import { dag, bash } from "flow";
const work = bash("work", 'echo "$FLOW_RUN_ID" >> "$RAN_FILE.started"; sleep ${sleep}; echo "$FLOW_RUN_ID $FLOW_DATA_INTERVAL_START $FLOW_DATA_INTERVAL_END" >> "$RAN_FILE"');
export default dag({ id: "${id}", schedule: "@daily", start: "2026-01-01", ${options}, tasks: [work] });
`;
}

let project: Project | undefined;
const daemons: number[] = [];

afterEach(async () => {
  for (const pid of daemons.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await project?.cleanup();
  project = undefined;
});

async function setUp(files: Record<string, string>): Promise<Project> {
  project = await makeProject(files);
  return project;
}

const env = (p: Project, now = NOW): Record<string, string> => ({
  FLOW_NOW: now,
  RAN_FILE: join(p.dir, "ran.txt"),
});

async function ranLines(p: Project): Promise<string[]> {
  const text = await p.read("ran.txt").catch(() => "");
  return text.split("\n").filter(Boolean);
}

async function runs(p: Project, dagId: string) {
  return (await statusJson(p, dagId)).runs as unknown as {
    run_id: string;
    state: string;
    start: string;
    end: string;
    data_interval_start: string;
    data_interval_end: string;
  }[];
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000) =>
  pollFor(what, probe, ms);

describe("flow scheduler --once", () => {
  it("catchup on: creates and runs one scheduled run per missed interval, then nothing new, then one more a day later", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: true") });
    const first = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(first.exitCode, first.stderr).toBe(0);
    const created = await runs(p, "daily");
    expect(
      created.map((run) => [run.run_id, run.state, run.data_interval_start, run.data_interval_end]),
    ).toEqual([
      [
        "scheduled__2026-01-01T00:00:00+00:00",
        "success",
        "2026-01-01T00:00:00.000Z",
        "2026-01-02T00:00:00.000Z",
      ],
      [
        "scheduled__2026-01-02T00:00:00+00:00",
        "success",
        "2026-01-02T00:00:00.000Z",
        "2026-01-03T00:00:00.000Z",
      ],
      [
        "scheduled__2026-01-03T00:00:00+00:00",
        "success",
        "2026-01-03T00:00:00.000Z",
        "2026-01-04T00:00:00.000Z",
      ],
    ]);
    expect((await ranLines(p)).sort()).toEqual([
      "scheduled__2026-01-01T00:00:00+00:00 2026-01-01T00:00:00.000Z 2026-01-02T00:00:00.000Z",
      "scheduled__2026-01-02T00:00:00+00:00 2026-01-02T00:00:00.000Z 2026-01-03T00:00:00.000Z",
      "scheduled__2026-01-03T00:00:00+00:00 2026-01-03T00:00:00.000Z 2026-01-04T00:00:00.000Z",
    ]);
    expect(first.stdout).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z {2}created run scheduled__2026-01-01/m,
    );

    const again = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await runs(p, "daily")).toHaveLength(3);
    expect(again.stdout).toContain("0 created");

    const nextDay = await p.flow(["scheduler", "--once"], { env: env(p, "2026-01-05T06:00:00Z") });
    expect(nextDay.exitCode, nextDay.stderr).toBe(0);
    const after = await runs(p, "daily");
    expect(after.map((run) => run.run_id).at(-1)).toBe("scheduled__2026-01-04T00:00:00+00:00");
    expect(after).toHaveLength(4);
    expect(await ranLines(p)).toHaveLength(4);
  });

  it("catchup off: only the latest complete interval", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: false") });
    const result = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await runs(p, "daily")).map((run) => run.run_id)).toEqual([
      "scheduled__2026-01-03T00:00:00+00:00",
    ]);
  });

  it("maxActiveRuns 1: the missed runs execute one after another, oldest first", async () => {
    const p = await setUp({
      "pipelines/daily.ts": pipeline("daily", "catchup: true, maxActiveRuns: 1", 0.3),
    });
    const result = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(result.exitCode, result.stderr).toBe(0);
    const done = await runs(p, "daily");
    expect(done.map((run) => run.state)).toEqual(["success", "success", "success"]);
    for (let i = 1; i < done.length; i++) {
      expect(Date.parse(done[i]!.start)).toBeGreaterThanOrEqual(Date.parse(done[i - 1]!.end));
    }
    expect((await ranLines(p)).map((line) => line.split(" ")[0])).toEqual(
      done.map((run) => run.run_id),
    );
  });

  it("exits 1 when a run failed", async () => {
    const p = await setUp({
      "pipelines/bad.ts": `
import { dag, bash } from "flow";
export default dag({ id: "bad", schedule: "@daily", start: "2026-01-03", tasks: [bash("boom", "exit 3")] });
`,
    });
    const result = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/run scheduled__2026-01-03T00:00:00\+00:00 of dag bad failed/);
  });

  it("a corrupt run file of one DAG: the others run, its error is one line, once, exit 4", async () => {
    const p = await setUp({
      "pipelines/broken.ts": pipeline("broken", "catchup: true"),
      "pipelines/fine.ts": pipeline("fine", "catchup: false"),
    });
    expect(
      (await p.flow(["scheduler", "--once"], { env: env(p, "2026-01-02T06:00:00Z") })).exitCode,
    ).toBe(0);
    // A file ending in a newline: V8's message quotes it, newline included.
    const file = "state/runs/broken/scheduled__2026-01-01T00:00:00+00:00.json";
    await p.write(file, "garbage\n");
    // "fine" has a new run to execute: the pass that follows its end meets the file again.
    const result = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(result.exitCode).toBe(4);
    const lines = result.stderr.split("\n").filter((line) => line.includes("not valid JSON"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^flow: .*broken\/scheduled__2026-01-01T00:00:00\+00:00\.json: not valid JSON \(.*"garbage " is not valid JSON\)/,
    );
    expect(await ranLines(p)).toContainEqual(
      expect.stringMatching(/^scheduled__2026-01-03T00:00:00\+00:00 /),
    );
  });

  it("twelve runs at once (catchup, maxActiveRuns 16): no Node warning on stderr", async () => {
    const p = await setUp({ "pipelines/many.ts": pipeline("many", "catchup: true") });
    const result = await p.flow(["scheduler", "--once"], { env: env(p, "2026-01-13T00:00:00Z") });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await ranLines(p)).toHaveLength(12);
    expect(result.stderr).not.toMatch(/Warning|node --trace-warnings/);
  });

  it("two overlapping invocations: every run executes exactly once and both exit 0", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: true", 1) });
    const [a, b] = await Promise.all([
      p.flow(["scheduler", "--once"], { env: env(p) }),
      p.flow(["scheduler", "--once"], { env: env(p) }),
    ]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const ids = (await ranLines(p)).map((line) => line.split(" ")[0]);
    expect(ids.sort()).toEqual([
      "scheduled__2026-01-01T00:00:00+00:00",
      "scheduled__2026-01-02T00:00:00+00:00",
      "scheduled__2026-01-03T00:00:00+00:00",
    ]);
    expect(`${a.stderr}${b.stderr}`).toMatch(
      /^flow: a scheduler is already running for state dir .*state \(pid \d+\)$/m,
    );
  });

  it("a stale pidfile and lock of a dead scheduler do not block", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: false") });
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    expect(isProcessAlive(dead)).toBe(false);
    await mkdir(p.stateDir, { recursive: true });
    await writeFile(join(p.stateDir, "scheduler.pid"), `${dead}\n`);
    const lock = join(p.stateDir, "scheduler.lock");
    await mkdir(lock);
    const twoSecondsAgo = new Date(Date.now() - 2_000);
    await utimes(lock, twoSecondsAgo, twoSecondsAgo); // refreshed recently: not stale by age
    const status = await p.flow(["scheduler", "status"]);
    expect(status.exitCode).toBe(3);
    expect(status.stdout).toContain(`stale pidfile of pid ${dead}`);
    const result = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await ranLines(p)).toHaveLength(1);
  });
});

describe("flow scheduler (daemon)", () => {
  it("--detach, status, a second scheduler refused, stop", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: true") });
    const started = await p.flow(["scheduler", "--detach"], { env: env(p) });
    expect(started.exitCode, started.stderr).toBe(0);
    const match = /^scheduler started \(pid (\d+)\), log: (.*scheduler\.log)$/.exec(
      started.stdout.trim(),
    );
    expect(match, started.stdout).not.toBeNull();
    const pid = Number(match![1]);
    daemons.push(pid);

    const status = await p.flow(["scheduler", "status"]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^scheduler running \\(pid ${pid}\\) since \\d{4}-`));

    const second = await p.flow(["scheduler"], { env: env(p) });
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toBe(
      `flow: a scheduler is already running for state dir ${p.stateDir} (pid ${pid})`,
    );
    const detachedAgain = await p.flow(["scheduler", "--detach"], { env: env(p) });
    expect(detachedAgain.exitCode).toBe(4);
    const once = await p.flow(["scheduler", "--once"], { env: env(p) });
    expect(once.exitCode).toBe(0);
    expect(once.stderr).toContain(`(pid ${pid})`);

    await waitFor("the daemon to run the due runs", async () =>
      (await ranLines(p)).length === 3 ? true : undefined,
    );
    const stopped = await p.flow(["scheduler", "stop"]);
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(stopped.stdout).toBe(`scheduler stopped (pid ${pid})`);
    expect(isProcessAlive(pid)).toBe(false);
    const after = await p.flow(["scheduler", "status"]);
    expect(after.exitCode).toBe(3);
    expect(after.stdout).toContain("scheduler not running");
    const again = await p.flow(["scheduler", "stop"]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("no scheduler is running");
    const log = await p.read("state/scheduler.log");
    expect(log).toMatch(/Z {2}scheduler started \(pid \d+/);
    expect(log).toMatch(/Z {2}scheduler stopped$/m);
  });

  it("picks up a pipeline file added while it runs, and logs a broken one without stopping", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: false") });
    const started = await p.flow(["scheduler", "--detach"], { env: env(p) });
    expect(started.exitCode, started.stderr).toBe(0);
    daemons.push(Number(/pid (\d+)/.exec(started.stdout)![1]));
    await waitFor("the first run", async () =>
      (await ranLines(p)).length === 1 ? true : undefined,
    );

    await p.write("pipelines/broken.ts", "export default dag({ id: \n");
    await p.write("pipelines/later.ts", pipeline("later", "catchup: true, start: '2026-01-02'"));
    await waitFor("the new DAG's runs", async () =>
      (await ranLines(p)).filter((line) => line.startsWith("scheduled__")).length === 3
        ? true
        : undefined,
    );
    expect((await runs(p, "later")).map((run) => [run.run_id, run.state])).toEqual([
      ["scheduled__2026-01-02T00:00:00+00:00", "success"],
      ["scheduled__2026-01-03T00:00:00+00:00", "success"],
    ]);
    const log = await waitFor("the import error in the log", async () => {
      const text = await p.read("state/scheduler.log");
      return /import error: pipelines\/broken\.ts/.test(text) ? text : undefined;
    });
    expect(log).toContain("new dag(s): later");
    expect((await p.flow(["scheduler", "status"])).exitCode).toBe(0);
  });

  it("SIGTERM: running tasks finish within the grace period, exit 0", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: false", 2) });
    const child = p.spawn(["scheduler"], { env: env(p) });
    daemons.push(child.pid!);
    await waitFor("the task to start", async () =>
      (await p.read("ran.txt.started")) ? true : undefined,
    );
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain("stop requested");
    expect((await runs(p, "daily")).map((run) => run.state)).toEqual(["success"]);
    expect(await ranLines(p)).toHaveLength(1);
  });

  it("SIGTERM after the grace period: running tasks are stopped and left to run again", async () => {
    const p = await setUp({ "pipelines/daily.ts": pipeline("daily", "catchup: false", 30) });
    const child = p.spawn(["scheduler", "--grace", "500ms"], { env: env(p) });
    daemons.push(child.pid!);
    await waitFor("the task to start", async () =>
      (await p.read("ran.txt.started")) ? true : undefined,
    );
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const [run] = await runs(p, "daily");
    expect(run!.state).toBe("queued");
  });
});
