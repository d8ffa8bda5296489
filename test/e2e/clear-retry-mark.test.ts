import { once } from "node:events";
import { existsSync } from "node:fs";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { spawnFixture } from "../integration/store/run-fixture.js";
import { FLOW_BIN, makeProject, type Project } from "./harness.js";

// extract -> transform -> load, and audit on its own. transform fails until the file `ok`
// exists; every task appends its id to executions.log, so a test can count what ran; load reads
// extract's result, so a rerun shows that results of tasks not run again stay readable.
const ETL = `
import { appendFileSync } from "node:fs";
import { dag, bash, fn } from "flow";

const note = (id: string) => appendFileSync("executions.log", id + "\\n");
const extract = fn("extract", async () => {
  note("extract");
  return { rows: 42 };
});
const transform = bash(
  "transform",
  'echo transform >> executions.log; echo "transform try $FLOW_TRY_NUMBER"; test -f ok || exit 1',
  { upstream: [extract] },
);
const load = fn(
  "load",
  async (ctx) => {
    note("load");
    return { loaded: (ctx.pull("extract") as { rows: number }).rows };
  },
  { upstream: [transform] },
);
const audit = bash("audit", "echo audit >> executions.log");

export default dag({ id: "etl", tasks: [extract, transform, load, audit] });
`;

const runId = (day: string): string => `manual__2026-01-${day}T00:00:00+00:00`;
const R1 = runId("01");
const R2 = runId("02");
const R3 = runId("03");

let project: Project;
afterEach(async () => project?.cleanup());

// How often each task ran, from executions.log.
async function executions(): Promise<Record<string, number>> {
  const text = await project.read("executions.log").catch(() => "");
  const counts: Record<string, number> = {};
  for (const id of text.split("\n").filter(Boolean)) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

interface StoredRun {
  state: string;
  tasks: Record<
    string,
    { state: string; try_number: number; reason: string | null; result?: unknown }
  >;
}

// The run as stored (after a command ends the snapshot holds everything).
async function stored(id: string): Promise<StoredRun> {
  return JSON.parse(await project.read(`state/runs/etl/${id}.json`)).run;
}

async function states(id: string): Promise<Record<string, string>> {
  const run = await stored(id);
  return {
    run: run.state,
    ...Object.fromEntries(Object.entries(run.tasks).map(([t, ti]) => [t, ti.state])),
  };
}

// A failed run for 2026-01-<day>: extract and audit succeed, transform fails, load upstream_failed.
async function failedRun(day: string): Promise<void> {
  const result = await project.flow(["run", "etl", "--date", `2026-01-${day}`]);
  expect(result.exitCode, result.stderr).toBe(1);
}

const FAILED = {
  run: "failed",
  extract: "success",
  transform: "failed",
  load: "upstream_failed",
  audit: "success",
};

const HAS_SCRIPT = existsSync("/usr/bin/script");

// Runs flow with a terminal as stdin and stdout (util-linux `script`), typing `input`.
async function inTerminal(
  args: string[],
  input: string,
): Promise<{ exitCode: number; stdout: string }> {
  const quoted = [process.execPath, FLOW_BIN, ...args].map((arg) => `'${arg}'`).join(" ");
  const result = await execa("script", ["-qec", quoted, "/dev/null"], {
    cwd: project.dir,
    env: { FORCE_COLOR: "0", NO_COLOR: "1", FLOW_HOME: undefined, FLOW_PIPELINES: undefined },
    input,
    reject: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout.replace(/\r/g, "") };
}

describe("flow retry and flow clear: rerun from the point of failure", () => {
  it("flow retry reruns only transform and load; load still reads extract's result", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    await failedRun("01");
    expect(await executions()).toEqual({ extract: 1, transform: 1, audit: 1 });

    // Still broken: the retry fails again, and says so with exit 1.
    const broken = await project.flow(["retry", "etl"]);
    expect(broken.exitCode).toBe(1);
    expect(await executions()).toEqual({ extract: 1, transform: 2, audit: 1 });

    await project.write("ok", "");
    const retry = await project.flow(["retry", "etl"]);
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(
      `retrying run ${R1}: cleared transform (failed), load (upstream_failed)`,
    );
    expect(retry.stdout).toContain(`run ${R1} success`);
    expect(await executions()).toEqual({ extract: 1, transform: 3, load: 1, audit: 1 });
    const run = await stored(R1);
    expect(run.state).toBe("success");
    expect(run.tasks.transform!.try_number).toBe(3);
    expect(run.tasks.load!.result).toEqual({ loaded: 42 });
    // The failed tries keep their logs.
    const firstTry = await project.flow(["logs", "etl", "transform", "--try", "1"]);
    expect(firstTry.stdout).toBe("transform try 1");

    const again = await project.flow(["retry", "etl"]);
    expect([again.exitCode, again.stdout]).toEqual([
      0,
      'dag "etl" has no failed run: nothing to retry',
    ]);
  });

  it("flow clear --only-failed --yes, then flow run --run, does the same", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    await failedRun("01");
    await project.write("ok", "");
    const clear = await project.flow(["clear", "etl", "--only-failed", "--yes"]);
    expect(clear.exitCode, clear.stderr).toBe(0);
    expect(clear.stdout).toContain(`cleared 2 task instances in 1 run; run ${R1} is queued`);
    expect(await states(R1)).toEqual({ ...FAILED, run: "queued", transform: "none", load: "none" });

    const run = await project.flow(["run", "etl", "--run", R1]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await executions()).toEqual({ extract: 1, transform: 2, load: 1, audit: 1 });
    expect((await stored(R1)).tasks.load!.result).toEqual({ loaded: 42 });
  });
});

describe("flow clear selectors", () => {
  it("dry run, confirmation, bad regex, --start/--end, --task, --downstream, --upstream", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    for (const day of ["01", "02", "03"]) await failedRun(day);
    const before = await project.snapshotState();

    const dry = await project.flow(["clear", "etl", "--only-failed", "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(
      "dry run: would clear 6 task instances in 3 runs; nothing changed",
    );
    expect(dry.stdout).toMatch(/manual__2026-01-02T00:00:00\+00:00 │ load +│ ↑ upstream_failed/);
    expect(await project.snapshotState()).toEqual(before);

    const unconfirmed = await project.flow(["clear", "etl", "--only-failed"]);
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr.split("\n")[0]).toBe(
      "flow: not clearing 6 task instances in 3 runs without confirmation: stdin is not a terminal",
    );
    expect(unconfirmed.stderr).toContain("pass --yes");
    expect(await project.snapshotState()).toEqual(before);

    const badRegex = await project.flow(["clear", "etl", "--task", "(", "--yes"]);
    expect(badRegex.exitCode).toBe(2);
    expect(badRegex.stderr).toMatch(/^flow: --task "\(" is not a valid regular expression/);
    expect(await project.snapshotState()).toEqual(before);

    // Days 2 and 3 (inclusive), the transform task only: load stays upstream_failed.
    const ranged = await project.flow([
      "clear",
      "etl",
      "--start",
      "2026-01-02",
      "--end",
      "2026-01-03",
      "--task",
      "^transform$",
      "--yes",
    ]);
    expect(ranged.exitCode, ranged.stderr).toBe(0);
    expect(ranged.stdout).toContain("cleared 2 task instances in 2 runs");
    expect(await states(R1)).toEqual(FAILED);
    for (const id of [R2, R3])
      expect(await states(id)).toEqual({ ...FAILED, run: "queued", transform: "none" });

    // In a terminal flow asks; only "y" clears. (Needs util-linux `script` for the terminal.)
    const clearDownstream = ["clear", "etl", "--run", R1, "--task", "^transform$", "--downstream"];
    if (HAS_SCRIPT) {
      const declined = await inTerminal(["clear", "etl", "--run", R1, "--only-failed"], "n\n");
      expect(declined.stdout).toContain("clear 2 task instances in 1 run? [y/N]");
      expect(declined.stdout).toContain("cancelled: nothing cleared");
      expect(await states(R1)).toEqual(FAILED);
      const downstream = await inTerminal(clearDownstream, "y\n");
      expect(downstream.stdout).toContain("cleared 2 task instances in 1 run");
      expect(downstream.exitCode).toBe(0);
    } else {
      expect((await project.flow([...clearDownstream, "--yes"])).exitCode).toBe(0);
    }
    expect(await states(R1)).toEqual({ ...FAILED, run: "queued", transform: "none", load: "none" });

    const upstream = await project.flow([
      "clear",
      "etl",
      "--run",
      R2,
      "--task",
      "^load$",
      "--upstream",
      "--yes",
    ]);
    expect(upstream.exitCode, upstream.stderr).toBe(0);
    expect(await states(R2)).toEqual({
      run: "queued",
      extract: "none",
      transform: "none",
      load: "none",
      audit: "success",
    });
    // extract's result goes with it; the first tries' logs stay.
    expect((await stored(R2)).tasks.extract!.result).toBeUndefined();
    const log = await project.flow(["logs", "etl", "transform", "--run", R2, "--try", "1"]);
    expect([log.exitCode, log.stdout]).toEqual([0, "transform try 1"]);

    const nothing = await project.flow(["clear", "etl", "--run", R3, "--task", "^nope$", "--yes"]);
    expect([nothing.exitCode, nothing.stdout]).toEqual([
      0,
      'nothing to clear: no task instance of dag "etl" matches',
    ]);

    // Cleared runs run again from where they stand.
    await project.write("ok", "");
    const rerun = await project.flow(["run", "etl", "--run", R2]);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect((await stored(R2)).tasks.load!.result).toEqual({ loaded: 42 });
  });

  it("a run executed by a live process: exit 4, one line, nothing cleared in any run", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    await failedRun("01");
    await failedRun("02");
    const holder = spawnFixture("hold-run.ts", [project.stateDir, "etl", R2, "10000"]);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on(
          "data",
          (chunk: Buffer) => chunk.toString().includes("held") && resolve(),
        );
        holder.once("exit", () => reject(new Error("hold-run exited")));
      });
      const before = await project.snapshotState();
      const clear = await project.flow(["clear", "etl", "--only-failed", "--yes"]);
      expect(clear.exitCode).toBe(4);
      expect(clear.stderr.split("\n")[0]).toBe(
        `flow: run "${R2}" of dag "etl" is being run by another flow process (pid ${holder.pid})`,
      );
      expect(clear.stdout).toBe("");
      const mark = await project.flow([
        "mark",
        "etl",
        "success",
        "--run",
        R2,
        "--task",
        "transform",
      ]);
      expect(mark.exitCode).toBe(4);
      expect(await project.snapshotState()).toEqual(before);
    } finally {
      holder.kill("SIGKILL");
      await once(holder, "exit").catch(() => undefined);
    }
  });
});

describe("flow mark", () => {
  it("success on the failed transform: load becomes runnable and flow run --run finishes without transform", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    await failedRun("01");
    const mark = await project.flow(["mark", "etl", "success", "--run", R1, "--task", "transform"]);
    expect(mark.exitCode, mark.stderr).toBe(0);
    expect(mark.stdout).toMatch(/transform │ ✘ failed +│ ✔ success │ marked success by hand/);
    expect(mark.stdout).toContain(`run ${R1} is queued: flow run etl --run ${R1}`);
    expect(await states(R1)).toEqual({
      ...FAILED,
      run: "queued",
      transform: "success",
      load: "none",
    });
    expect((await stored(R1)).tasks.transform!.reason).toBe("marked success by hand");

    const run = await project.flow(["run", "etl", "--run", R1]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await executions()).toEqual({ extract: 1, transform: 1, load: 1, audit: 1 });
    expect(await states(R1)).toEqual({
      run: "success",
      extract: "success",
      transform: "success",
      load: "success",
      audit: "success",
    });
  });

  it("failed and skipped: downstream follows the trigger rules, the run the leaf rule; unknown names", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    await failedRun("01");
    const before = await project.snapshotState();
    const task = await project.flow(["mark", "etl", "success", "--run", R1, "--task", "trasform"]);
    expect([task.exitCode, task.stderr]).toEqual([
      2,
      'flow: unknown task "trasform" in dag "etl" (known: "audit", "extract", "load", "transform")',
    ]);
    const run = await project.flow(["mark", "etl", "success", "--run", "nope", "--task", "load"]);
    expect([run.exitCode, run.stderr]).toEqual([
      2,
      `flow: unknown run "nope" of dag "etl" (latest: "${R1}")`,
    ]);
    expect(await project.snapshotState()).toEqual(before);

    // On a cleared run, marking transform failed makes load upstream_failed and ends the run.
    const clear = await project.flow(["clear", "etl", "--run", R1, "--only-failed", "--yes"]);
    expect(clear.exitCode, clear.stderr).toBe(0);
    const failed = await project.flow([
      "mark",
      "etl",
      "failed",
      "--run",
      R1,
      "--task",
      "transform",
    ]);
    expect(failed.exitCode, failed.stderr).toBe(0);
    expect(await states(R1)).toEqual(FAILED);
    expect((await stored(R1)).tasks.load!.reason).toBe('upstream task "transform" failed');

    const same = await project.flow(["mark", "etl", "failed", "--run", R1, "--task", "transform"]);
    expect(same.stdout).toBe(`task "transform" is already failed in run ${R1}: nothing changed`);

    // Skipped: load (all_success) is skipped too; the leaves are skipped and success.
    const skipped = await project.flow([
      "mark",
      "etl",
      "skipped",
      "--run",
      R1,
      "--task",
      "transform",
    ]);
    expect(skipped.exitCode, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain(`run ${R1} is success`);
    expect(await states(R1)).toEqual({
      ...FAILED,
      run: "success",
      transform: "skipped",
      load: "skipped",
    });

    const leaf = await project.flow(["mark", "etl", "failed", "--run", R1, "--task", "audit"]);
    expect(leaf.stdout).toContain(`run ${R1} is failed`);
    expect(await executions()).toEqual({ extract: 1, transform: 1, audit: 1 });
  });
});

// a -> b, b failing; then the DAG changes under its run, as pipelines do between runs.
const SHAPE = (tasks: string, edges: string): string => `
import { dag, bash, chain } from "flow";
${tasks}
${edges}
export default dag({ id: "g", tasks: [${tasks
  .match(/const (\w+)/g)!
  .map((d) => d.slice(6))
  .join(", ")}] });
`;
const G1 = runId("01");

describe("a run made before its DAG changed (Airflow's verify_integrity)", () => {
  it("a task added since: clear plans and writes without it, mark can mark it, and the run waits for it", async () => {
    project = await makeProject({
      "pipelines/g.ts": SHAPE(
        `const a = bash("a", "true");\nconst b = bash("b", "exit 1");`,
        "chain(a, b);",
      ),
    });
    expect((await project.flow(["run", "g", "--date", "2026-01-01"])).exitCode).toBe(1);
    await project.write(
      "pipelines/g.ts",
      SHAPE(
        `const a = bash("a", "true");\nconst b = bash("b", "true");\nconst c = bash("c", "echo c >> c.log");`,
        "chain(a, b, c);",
      ),
    );
    const dry = await project.flow(["clear", "g", "--run", G1, "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run: would clear 2 task instances in 1 run; nothing changed");

    const before = await project.snapshotState();
    const mark = await project.flow(["mark", "g", "success", "--run", G1, "--task", "b"]);
    expect(mark.exitCode, mark.stderr).toBe(0);
    // c has not run: the run is not decided by its old leaf b, it goes back to queued.
    expect(mark.stdout).toContain(`run ${G1} is queued`);
    expect(await project.snapshotState()).not.toEqual(before);
    const resumed = await project.flow(["run", "g", "--run", G1]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await project.read("c.log")).toBe("c\n");

    const json = await project.flow([
      "clear",
      "g",
      "--run",
      G1,
      "--task",
      "^c$",
      "--yes",
      "--json",
    ]);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).instances).toMatchObject([{ task_id: "c", state: "success" }]);
  });

  it("a task added since can be marked by hand", async () => {
    project = await makeProject({
      "pipelines/g.ts": SHAPE(`const a = bash("a", "exit 1");`, ""),
    });
    expect((await project.flow(["run", "g", "--date", "2026-01-01"])).exitCode).toBe(1);
    await project.write(
      "pipelines/g.ts",
      SHAPE(`const a = bash("a", "exit 1");\nconst c = bash("c", "true");`, "chain(a, c);"),
    );
    const mark = await project.flow(["mark", "g", "success", "--run", G1, "--task", "c"]);
    expect(mark.exitCode, mark.stderr).toBe(0);
    expect(mark.stdout).toMatch(/c +│ ○ none +│ ✔ success │ marked success by hand/);
  });

  it("a run that failed only in a task removed since: retry finishes it, a success", async () => {
    project = await makeProject({
      "pipelines/g.ts": SHAPE(
        `const a = bash("a", "true");\nconst b = bash("b", "exit 1");`,
        "chain(a, b);",
      ),
    });
    expect((await project.flow(["run", "g", "--date", "2026-01-01"])).exitCode).toBe(1);
    await project.write("pipelines/g.ts", SHAPE(`const a = bash("a", "true");`, ""));
    const retry = await project.flow(["retry", "g"]);
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`run ${G1} success`);
    expect(retry.stdout).toContain("1 success, 1 removed");
    const run = JSON.parse(await project.read(`state/runs/g/${G1}.json`)).run;
    expect(run.tasks.a).toMatchObject({ state: "success", try_number: 1 });
    expect(run.tasks.b).toMatchObject({ state: "removed", reason: "task removed from the DAG" });
  });

  it("a task removed since is removed when the run goes on: retry ends a success, 1 removed", async () => {
    project = await makeProject({
      "pipelines/g.ts": SHAPE(
        `const a = bash("a", "true");\nconst b = bash("b", "exit 1");\nconst c = bash("c", "true");`,
        "chain(a, b, c);",
      ),
    });
    expect((await project.flow(["run", "g", "--date", "2026-01-01"])).exitCode).toBe(1);
    await project.write(
      "pipelines/g.ts",
      SHAPE(`const a = bash("a", "true");\nconst c = bash("c", "true");`, "chain(a, c);"),
    );
    const retry = await project.flow(["retry", "g", G1]);
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`run ${G1} success`);
    expect(retry.stdout).toContain("2 success, 1 removed");
    const run = JSON.parse(await project.read(`state/runs/g/${G1}.json`)).run;
    expect(run.tasks.b).toMatchObject({ state: "removed", reason: "task removed from the DAG" });
    const mark = await project.flow(["mark", "g", "success", "--run", G1, "--task", "b"]);
    expect([mark.exitCode, mark.stderr]).toEqual([
      2,
      'flow: unknown task "b" in dag "g" (known: "a", "c")',
    ]);
  });
});
