import { existsSync } from "node:fs";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { FLOW_BIN, makeProject, type Project } from "./harness.js";

// What a new user trips over (issue 10): each case runs the real binary on real pipeline files.

let project: Project;
afterEach(async () => project?.cleanup());

describe("a misspelled DAG option is an error, not a silent default", () => {
  it("names each unknown option of dag() with the closest real one", async () => {
    project = await makeProject({
      "pipelines/i.ts": `
import { dag, bash } from "flow";
export default dag({
  id: "i",
  schedule: "@daily",
  start: "2026-01-01",
  catchUp: true,
  max_active_runs: 2,
  colour: "blue",
  tasks: [bash("a", "true")],
});
`,
    });
    const validate = await project.flow(["validate"]);
    expect(validate.exitCode).toBe(3);
    expect(validate.stderr).toContain(
      'pipelines/i.ts: dag "i": unknown dag option "catchUp" (did you mean "catchup"?)',
    );
    expect(validate.stderr).toContain(
      'unknown dag option "max_active_runs" (did you mean "maxActiveRuns"?)',
    );
    expect(validate.stderr).toMatch(/unknown dag option "colour" \(dag options are: id, /);
    expect(validate.stdout).toBe("0 DAGs valid, 3 problems in 1 place(s)");
  });
});

describe("colour follows no-color.org: only a non-empty NO_COLOR turns it off", () => {
  // In a terminal (util-linux `script`), where flow colours by default.
  const treeInTerminal = async (env: Record<string, string | undefined>): Promise<string> => {
    const quoted = [process.execPath, FLOW_BIN, "tree", "etl"].map((arg) => `'${arg}'`).join(" ");
    const result = await execa("script", ["-qec", quoted, "/dev/null"], {
      cwd: project.dir,
      env: { FLOW_HOME: undefined, FLOW_PIPELINES: undefined, TERM: "xterm", ...env },
      extendEnv: true,
      reject: false,
      stdin: "ignore",
    });
    expect(result.exitCode, result.stderr).toBe(0);
    return result.stdout;
  };
  const ESC = "\u001b[";

  it.skipIf(!existsSync("/usr/bin/script"))(
    "NO_COLOR empty keeps colour; NO_COLOR=1 removes it; FORCE_COLOR=1 wins over NO_COLOR",
    async () => {
      project = await makeProject({
        "pipelines/etl.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "etl", tasks: [bash("a", "true")] });\n`,
      });
      expect((await project.flow(["run", "etl"])).exitCode).toBe(0);
      expect(await treeInTerminal({ NO_COLOR: "", FORCE_COLOR: undefined })).toContain(ESC);
      expect(await treeInTerminal({ NO_COLOR: "1", FORCE_COLOR: undefined })).not.toContain(ESC);
      expect(await treeInTerminal({ NO_COLOR: "1", FORCE_COLOR: "1" })).toContain(ESC);
    },
  );
});

describe("flow test reads the upstream results of the run of its logical date", () => {
  it("gives ctx.upstream the results stored in that run, and says which run", async () => {
    project = await makeProject({
      "pipelines/etl.ts": `
import { dag, fn } from "flow";
const extract = fn("extract", async (ctx) => ({ rows: 7, ds: ctx.ds }));
const load = fn("load", async (ctx) => ({ loaded: ctx.upstream.extract.rows }), { upstream: [extract] });
export default dag({ id: "etl", schedule: "@daily", start: "2026-01-01", tasks: [extract, load] });
`,
    });
    const none = await project.flow(["test", "etl", "load", "--date", "2026-01-05"]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain(
      'flow: note: no run of dag "etl" has this logical date: ctx.upstream was empty',
    );

    expect(
      (await project.flow(["backfill", "etl", "--start", "2026-01-05", "--end", "2026-01-05"]))
        .exitCode,
    ).toBe(0);
    const before = await project.snapshotState();
    const test = await project.flow(["test", "etl", "load", "--date", "2026-01-05"]);
    expect(test.exitCode, test.stderr).toBe(0);
    expect(test.stderr).toContain(
      "flow: note: ctx.upstream read the results of run backfill__2026-01-05T00:00:00+00:00",
    );
    expect(test.stderr).toContain('result {"loaded":7}');
    expect(await project.snapshotState()).toEqual(before);
  });
});

describe("pipelines import the API by the package's name too", () => {
  it('runs a pipeline that imports from "flowdag"', async () => {
    project = await makeProject({
      "pipelines/etl.ts": `import { dag, bash } from "flowdag";\nexport default dag({ id: "etl", tasks: [bash("a", "echo hi")] });\n`,
    });
    const run = await project.flow(["run", "etl"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/run manual__\S+ success/);
  });
});

describe("the same manual date twice", () => {
  it("is a usage error (exit 2) that says how to resume it, rerun it or pick another date", async () => {
    project = await makeProject({
      "pipelines/etl.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "etl", tasks: [bash("a", "true")] });\n`,
    });
    expect((await project.flow(["run", "etl", "--date", "2026-01-05"])).exitCode).toBe(0);
    const before = await project.snapshotState();
    const again = await project.flow(["run", "etl", "--date", "2026-01-05"]);
    const id = "manual__2026-01-05T00:00:00+00:00";
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(
      [
        `flow: run "${id}" of dag "etl" already exists`,
        `flow: hint: flow run etl --run ${id} resumes it, flow clear etl --run ${id} runs it again, or pick another --date`,
      ].join("\n"),
    );
    expect(await project.snapshotState()).toEqual(before);
  });
});

describe("--run takes a unique prefix of a run id or a logical date", () => {
  it("resolves a date or a prefix to its one run, and lists the candidates when several match", async () => {
    project = await makeProject({
      "pipelines/etl.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "etl", schedule: "@daily", start: "2026-01-01", timezone: "Europe/Paris", tasks: [bash("a", "true")] });\n`,
    });
    const backfill = ["backfill", "etl", "--start", "2026-01-05", "--end", "2026-01-06"];
    expect((await project.flow(backfill)).exitCode).toBe(0);
    const byDate = await project.flow(["clear", "etl", "--run", "2026-01-05", "--dry-run"]);
    expect(byDate.exitCode, byDate.stderr).toBe(0);
    // Midnight in Paris is 23:00 UTC the day before: the date is read in the DAG's timezone.
    expect(byDate.stdout).toContain("backfill__2026-01-04T23:00:00+00:00");
    expect(byDate.stdout).not.toContain("backfill__2026-01-05T23:00:00+00:00");

    const byPrefix = await project.flow([
      "clear",
      "etl",
      "--run",
      "backfill__2026-01-05",
      "--dry-run",
    ]);
    expect(byPrefix.exitCode, byPrefix.stderr).toBe(0);
    expect(byPrefix.stdout).toContain("backfill__2026-01-05T23:00:00+00:00");

    const both = await project.flow(["clear", "etl", "--run", "backfill__2026-01-0", "--dry-run"]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr.split("\n")[0]).toBe(
      'flow: run "backfill__2026-01-0" of dag "etl" could be any of "backfill__2026-01-04T23:00:00+00:00", "backfill__2026-01-05T23:00:00+00:00"',
    );
  });
});

describe("flow scheduler --once with a pipeline that fails to import", () => {
  it("runs the other pipelines, then exits 3 so that cron notices", async () => {
    project = await makeProject({
      "pipelines/daily.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "daily", schedule: "@daily", start: "2026-01-01", tasks: [bash("a", "true")] });\n`,
      "pipelines/broken.ts": "export default dag({ id: \n",
    });
    const env = { FLOW_NOW: "2026-01-05T06:00:00Z" };
    const once = await project.flow(["scheduler", "--once"], { env });
    expect(once.exitCode, once.stdout + once.stderr).toBe(3);
    expect(once.stdout + once.stderr).toMatch(/import error: pipelines\/broken\.ts/);
    const status = JSON.parse((await project.flow(["status", "daily", "--json"])).stdout);
    expect(
      status.runs.map((run: { run_id: string; state: string }) => [run.run_id, run.state]),
    ).toEqual([["scheduled__2026-01-04T00:00:00+00:00", "success"]]);
  });
});

describe("a cleared backfill run is executed by the next scheduler pass", () => {
  it("flow clear says the scheduler picks it up, and flow scheduler --once does", async () => {
    project = await makeProject({
      "pipelines/daily.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "daily", schedule: "@daily", start: "2026-01-01", tasks: [bash("a", "echo $FLOW_RUN_ID >> ran.txt")] });\n`,
    });
    const env = { FLOW_NOW: "2026-01-03T06:00:00Z" };
    const backfill = ["backfill", "daily", "--start", "2026-01-01", "--end", "2026-01-02"];
    expect((await project.flow(backfill, { env })).exitCode).toBe(0);
    const id = "backfill__2026-01-01T00:00:00+00:00";
    const clear = await project.flow(["clear", "daily", "--run", id, "--yes"], { env });
    expect(clear.exitCode, clear.stderr).toBe(0);
    expect(clear.stdout).toContain(`run ${id} is queued`);
    const once = await project.flow(["scheduler", "--once"], { env });
    expect(once.exitCode, once.stdout + once.stderr).toBe(0);
    const status = JSON.parse((await project.flow(["status", "daily", "--json"], { env })).stdout);
    const byId = Object.fromEntries(
      status.runs.map((run: { run_id: string; state: string }) => [run.run_id, run.state]),
    );
    expect(byId[id]).toBe("success");
    expect((await project.read("ran.txt")).split("\n").filter((line) => line === id)).toHaveLength(
      2,
    );
  });
});

describe("scripts: flow clear --json with --expect, backfill of one date", () => {
  it("a dry run's fingerprint clears exactly that plan, and a stale one clears nothing", async () => {
    project = await makeProject({
      "pipelines/etl.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "etl", schedule: "@daily", start: "2026-01-01", tasks: [bash("a", "exit 1"), bash("b", "true")] });\n`,
    });
    const env = { FLOW_NOW: "2026-01-09T06:00:00Z" };
    // Without --end: the one date.
    const one = await project.flow(["backfill", "etl", "--start", "2026-01-05", "--json"], { env });
    expect(one.exitCode).toBe(1);
    expect(JSON.parse(one.stdout).plan.map((step: { run_id: string }) => step.run_id)).toEqual([
      "backfill__2026-01-05T00:00:00+00:00",
    ]);
    const dry = await project.flow(["clear", "etl", "--only-failed", "--dry-run", "--json"], {
      env,
    });
    expect(dry.exitCode, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ dag_id: "etl", dry_run: true });
    expect(plan.instances).toEqual([
      {
        run_id: "backfill__2026-01-05T00:00:00+00:00",
        task_id: "a",
        state: "failed",
        try_number: 1,
        max_tries: 1,
      },
    ]);
    // Another failed run appears: the plan changed, so --expect refuses and clears nothing.
    expect(
      (await project.flow(["backfill", "etl", "--start", "2026-01-06"], { env })).exitCode,
    ).toBe(1);
    const before = await project.snapshotState();
    const stale = ["clear", "etl", "--only-failed", "--yes", "--expect", plan.fingerprint];
    const refused = await project.flow(stale, { env });
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr.split("\n")[0]).toBe(
      'flow: the clear plan of dag "etl" changed since it was previewed: nothing cleared',
    );
    expect(await project.snapshotState()).toEqual(before);
    const fresh = JSON.parse(
      (await project.flow(["clear", "etl", "--only-failed", "--dry-run", "--json"], { env }))
        .stdout,
    );
    const applied = await project.flow(
      ["clear", "etl", "--only-failed", "--yes", "--json", "--expect", fresh.fingerprint],
      { env },
    );
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).instances).toHaveLength(2);
  });
});

describe("flow list on an empty pipelines folder", () => {
  it("says where it looked and how to start", async () => {
    project = await makeProject({ "pipelines/README.md": "my pipelines\n" });
    const list = await project.flow(["list"]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toBe(
      [
        "no DAGs in pipelines/: no pipeline file there (.ts, .js, .mts, .mjs) exports a dag()",
        "write one (README: Writing a pipeline), or point flow at yours with --pipelines <dir> or FLOW_PIPELINES",
      ].join("\n"),
    );
  });
});

describe("Ctrl-C of flow run", () => {
  it("names the command that resumes the run, and an interrupted try never reads as a failure", async () => {
    project = await makeProject({
      "pipelines/slow.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "slow", tasks: [bash("wait", "[ -f go ] || sleep 30")] });\n`,
    });
    const id = "manual__2026-04-01T00:00:00+00:00";
    const child = project.spawn(["run", "slow", "--date", "2026-04-01", "--grace", "0"]);
    const until = Date.now() + 20_000;
    while (
      !(await project.read(`state/runs/slow/${id}.journal`).catch(() => "")).includes('"running"')
    ) {
      if (Date.now() > until) throw new Error("the task never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    const stopped = await child;
    expect(stopped.exitCode).toBe(130);
    expect(String(stopped.stderr)).toContain(`flow: hint: resume with: flow run slow --run ${id}`);

    await project.write("go", "");
    const resumed = await project.flow(["run", "slow", "--run", id]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/wait\s+│ ✔ success │ 2\/2, 1 interrupted │/);
    const json = JSON.parse((await project.flow(["status", "slow", "--json"])).stdout);
    expect(json.runs[0].tasks.wait).toMatchObject({
      state: "success",
      try_number: 2,
      max_tries: 2,
      interrupted_tries: 1,
    });
  });
});

describe("a date names the same run in every command of a DAG outside UTC", () => {
  it("status, tree, clear and test read --run / --date in the DAG's timezone", async () => {
    project = await makeProject({
      "pipelines/tok.ts": `import { dag, fn } from "flow";
const a = fn("a", async (ctx) => ({ ds: ctx.ds }));
const b = fn("b", async (ctx) => ({ from: ctx.upstream.a.ds }), { upstream: [a] });
export default dag({ id: "tok", schedule: "@daily", start: "2026-01-01", timezone: "Asia/Tokyo", tasks: [a, b] });
`,
      "pipelines/broken.ts": "throw new Error('no database');\n",
    });
    const env = { FLOW_NOW: "2026-01-09T00:00:00Z" };
    const fill = ["backfill", "tok", "--start", "2026-01-04", "--end", "2026-01-06"];
    expect((await project.flow(fill, { env })).exitCode).toBe(0);
    // Midnight 01-05 in Tokyo is 2026-01-04T15:00Z.
    const id = "backfill__2026-01-04T15:00:00+00:00";
    const status = JSON.parse(
      (await project.flow(["status", "tok", "--run", "2026-01-05", "--json"], { env })).stdout,
    );
    expect(status.runs[0].run_id).toBe(id);
    expect((await project.flow(["tree", "tok", "--run", "2026-01-05"], { env })).stdout).toContain(
      id,
    );
    const clear = await project.flow(
      ["clear", "tok", "--run", "2026-01-05", "--dry-run", "--json"],
      {
        env,
      },
    );
    const runsCleared = JSON.parse(clear.stdout).instances.map((i: { run_id: string }) => i.run_id);
    expect(runsCleared).toEqual([id, id]);
    const test = await project.flow(["test", "tok", "b", "--date", "2026-01-05"], { env });
    expect(test.exitCode, test.stderr).toBe(0);
    expect(test.stderr).toContain(`flow: note: ctx.upstream read the results of run ${id}`);
    // An unknown DAG with a broken pipeline: exit 3 in status too, as in every command.
    const unknown = await project.flow(["status", "nope"], { env });
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toMatch(/a file that failed to import may define it/);
  });
});
