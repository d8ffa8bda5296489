import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, statusJson, type Project } from "./harness.js";

const ETL = `
import { dag, bash, fn, chain } from "flow";

const extract = bash("extract", 'echo "extracting $FLOW_DS" && printf "%s|%s|%s|%s" "$FLOW_DAG_ID" "$FLOW_TASK_ID" "$FLOW_DS" "$FLOW_TRY_NUMBER" > env.txt');
const clean = fn("clean", async (ctx) => {
  ctx.log.info("cleaning for", ctx.ds);
  return { rows: 3, ds: ctx.ds };
});
const enrich = fn("enrich", async () => ({ extra: true }));
const load = fn("load", async (ctx) => ({ got: ctx.upstream, pulled: ctx.pull("clean"), param: ctx.params.region ?? null }));

chain(extract, [clean, enrich], load);

export default dag({ id: "etl", description: "fan out, fan in", params: { region: "us" }, tasks: [extract, clean, enrich, load] });
`;

const BROKEN_MIDDLE = `
import { dag, bash } from "flow";

const a = bash("a", "true");
const b = bash("b", "echo failing >&2; exit 3", { upstream: [a] });
const c = bash("c", "true", { upstream: [b] });
const d = bash("d", "true", { upstream: [c] });
const side = bash("side", "true", { upstream: [a] });

export default dag({ id: "broken", tasks: [a, b, c, d, side] });
`;

// 60 tasks, one failing, each fed to 60 more (so wide that settling reads the run's counts of
// upstream states, src/core/upstream-tally.ts): half of those need all to succeed, half only
// all to be done; then a join of them all that needs none failed, and a tail that needs all done.
const WIDE_FAN_IN = `
import { dag, fn } from "flow";

const first = Array.from({ length: 60 }, (_, i) =>
  fn(\`a\${i}\`, () => { if (i === 17) throw new Error("a17 breaks"); }),
);
const second = Array.from({ length: 60 }, (_, i) =>
  fn(\`b\${i}\`, () => {}, { upstream: first, triggerRule: i % 2 === 0 ? "all_success" : "all_done" }),
);
const join = fn("join", () => {}, { upstream: second, triggerRule: "none_failed" });
const tail = fn("tail", () => {}, { upstream: second, triggerRule: "all_done" });

export default dag({ id: "wide", tasks: [...first, ...second, join, tail] });
`;

let project: Project;
afterEach(async () => project?.cleanup());

describe("flow run", () => {
  it("settles a wide fan-in by its trigger rules when one upstream task fails", async () => {
    project = await makeProject({ "pipelines/wide.ts": WIDE_FAN_IN });
    const result = await project.flow(["run", "wide", "--date", "2026-02-01"]);
    expect(result.exitCode, result.stderr).toBe(1);
    const { tasks } = (await statusJson(project, "wide")).runs[0]!;
    const states = (prefix: string, parity?: number): Set<string> =>
      new Set(
        Object.entries(tasks)
          .filter(
            ([id]) =>
              id.startsWith(prefix) && (parity === undefined || Number(id.slice(1)) % 2 === parity),
          )
          .map(([, ti]) => ti.state),
      );
    expect(tasks.a17!.state).toBe("failed");
    expect(Object.values(tasks).filter((ti) => ti.state === "success")).toHaveLength(59 + 30 + 1);
    expect(states("b", 0)).toEqual(new Set(["upstream_failed"]));
    expect(states("b", 1)).toEqual(new Set(["success"]));
    expect(tasks.join!.state).toBe("upstream_failed");
    expect(tasks.tail!.state).toBe("success");
  });

  it("runs bash and function tasks in dependency order and passes results downstream", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    const result = await project.flow([
      "run",
      "etl",
      "--date",
      "2026-01-05",
      "--param",
      "region=eu",
    ]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("run manual__2026-01-05T00:00:00+00:00 success");
    const status = await statusJson(project, "etl");
    const run = status.runs[0]!;
    expect(run.state).toBe("success");
    expect(
      Object.fromEntries(
        Object.entries(run.tasks).map(([id, ti]) => [id, [ti.state, ti.try_number]]),
      ),
    ).toEqual({
      extract: ["success", 1],
      clean: ["success", 1],
      enrich: ["success", 1],
      load: ["success", 1],
    });
    expect(await project.read("env.txt")).toBe("etl|extract|2026-01-05|1");
    const stored = JSON.parse(
      await readFile(
        join(project.stateDir, "runs/etl/manual__2026-01-05T00:00:00+00:00.json"),
        "utf8",
      ),
    );
    expect(stored.run.tasks.load.result).toEqual({
      got: { clean: { rows: 3, ds: "2026-01-05" }, enrich: { extra: true } },
      pulled: { rows: 3, ds: "2026-01-05" },
      param: "eu",
    });
    expect(stored.run.tasks.extract.exit_code).toBe(0);
    const logs = await project.flow(["logs", "etl", "extract"]);
    expect(logs.stdout).toContain("extracting 2026-01-05");
    const fnLogs = await project.flow(["logs", "etl", "clean"]);
    expect(fnLogs.stdout).toMatch(/INFO cleaning for 2026-01-05/);
  });

  it("fails downstream tasks as upstream_failed, lets independent branches finish, and exits 1", async () => {
    project = await makeProject({ "pipelines/broken.ts": BROKEN_MIDDLE });
    const result = await project.flow(["run", "broken", "--date", "2026-02-01"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/run manual__2026-02-01T00:00:00\+00:00 failed/);
    const run = (await statusJson(project, "broken")).runs[0]!;
    expect(run.state).toBe("failed");
    expect(Object.fromEntries(Object.entries(run.tasks).map(([id, ti]) => [id, ti.state]))).toEqual(
      {
        a: "success",
        b: "failed",
        c: "upstream_failed",
        d: "upstream_failed",
        side: "success",
      },
    );
    const stored = JSON.parse(
      await readFile(
        join(project.stateDir, "runs/broken/manual__2026-02-01T00:00:00+00:00.json"),
        "utf8",
      ),
    );
    expect(stored.run.tasks.b.exit_code).toBe(3);
    expect(stored.run.tasks.b.reason).toBe("exit code 3");
    expect(stored.run.tasks.c.try_number).toBe(0);
    expect((await project.flow(["logs", "broken", "b"])).stdout).toContain("failing");
  });

  it("prints the status --json contract with --json", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    const result = await project.flow(["run", "etl", "--date", "2026-01-05", "--json"]);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.dag_id).toBe("etl");
    expect(Object.keys(json.runs[0])).toEqual([
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
    ]);
    expect(Object.keys(json.runs[0].tasks.extract)).toEqual([
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
    ]);
    expect(json.runs[0].run_type).toBe("manual");
  });

  it("refuses a second manual run with the same logical date and changes nothing", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    expect((await project.flow(["run", "etl", "--date", "2026-01-05"])).exitCode).toBe(0);
    const before = await project.snapshotState();
    const again = await project.flow(["run", "etl", "--date", "2026-01-05"]);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toMatch(
      /^flow: run "manual__2026-01-05T00:00:00\+00:00" of dag "etl" already exists/,
    );
    expect(await project.snapshotState()).toEqual(before);
  });

  it("runs many independent tasks within the parallelism limit", async () => {
    const tasks = Array.from({ length: 40 }, (_, i) => `bash("t${i}", "echo $$ >> pids.txt")`).join(
      ", ",
    );
    project = await makeProject({
      "pipelines/wide.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "wide", tasks: [${tasks}] });\n`,
    });
    const result = await project.flow(["run", "wide", "--parallelism", "3"]);
    expect(result.exitCode).toBe(0);
    const run = (await statusJson(project, "wide")).runs[0]!;
    expect(Object.values(run.tasks).every((ti) => ti.state === "success")).toBe(true);
    expect((await project.read("pids.txt")).trim().split("\n")).toHaveLength(40);
  });
});
