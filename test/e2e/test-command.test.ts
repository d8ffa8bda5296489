import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeProject, normalise, type Project } from "./harness.js";
import { listFiles } from "./helpers-files.js";

// extract leaves a marker file, so a test can tell whether it ran.
const ETL = `
import { dag, bash, fn, chain } from "flow";
const extract = bash("extract", 'touch extract-ran && echo "extract $FLOW_DS"');
const report = bash("report", 'echo "report for $FLOW_DS try $FLOW_TRY_NUMBER"; echo "a warning" >&2');
const summarise = fn("summarise", async (ctx) => {
  ctx.log.info("summarising", ctx.ds, "upstream", ctx.upstream, "region", ctx.params.region);
  return { ds: ctx.ds, rows: 3 };
});
const wait = bash("wait", 'echo started; while [ ! -f go ]; do sleep 0.05; done; echo finished');
chain(extract, report, summarise);
export default dag({ id: "etl", params: { region: "us" }, tasks: [extract, report, summarise, wait] });
`;

const BAD = `
import { dag, bash, fn } from "flow";
const ok = bash("ok", "echo fine");
const broken = bash("broken", 'echo "about to fail"; exit 5', { upstream: [ok] });
const throws = fn("throws", async (ctx) => {
  ctx.log.info("trying");
  throw new Error("kaput");
}, { upstream: [ok] });
export default dag({ id: "bad", tasks: [ok, broken, throws] });
`;

let project: Project;
beforeEach(async () => {
  project = await makeProject({ "pipelines/etl.ts": ETL, "pipelines/bad.ts": BAD });
});
afterEach(async () => project.cleanup());

/** stderr must be exactly one line besides the note on ctx.upstream; returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line !== "" && !line.startsWith("flow: note:"));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("flow test", () => {
  it("runs one bash task without its upstream, prints its output, exits 0 and records nothing", async () => {
    const result = await project.flow(["test", "etl", "report", "--date", "2026-01-05"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("report for 2026-01-05 try 1");
    expect(result.stdout).toContain("a warning");
    expect(normalise(oneLine(result.stderr))).toBe('flow: task "report" succeeded in <dur>');
    expect(existsSync(join(project.dir, "extract-ran"))).toBe(false);
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("leaves an existing state dir as it was: no run, no log", async () => {
    await project.write("go", "");
    expect((await project.flow(["run", "etl", "--date", "2026-01-04"])).exitCode).toBe(0);
    const before = await project.snapshotState();
    const runsBefore = await listFiles(join(project.stateDir, "runs"));
    const result = await project.flow(["test", "etl", "extract", "--date", "2026-01-05"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("extract 2026-01-05");
    expect(await listFiles(join(project.stateDir, "runs"))).toEqual(runsBefore);
    expect(await project.snapshotState()).toEqual(before);
    const status = JSON.parse((await project.flow(["status", "etl", "--json"])).stdout);
    expect(status.runs.map((run: { run_id: string }) => run.run_id)).toEqual([
      "manual__2026-01-04T00:00:00+00:00",
    ]);
  });

  it("streams the task's output while it runs", async () => {
    const child = project.spawn(["test", "etl", "wait"]);
    let seen = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output while running: ${seen}`)), 15_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("started")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(seen).not.toContain("finished");
    await project.write("go", "");
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toBe("started\nfinished");
  });

  it("SIGTERM stops the task and exits 130, leaving no temp log behind", async () => {
    const tmp = join(project.dir, "tmp");
    await project.write("tmp/.keep", "");
    const child = project.spawn(["test", "etl", "wait"], { env: { TMPDIR: tmp } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the task never started")), 15_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        if (!chunk.toString().includes("started")) return;
        clearTimeout(timer);
        resolve();
      });
    });
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(normalise(oneLine(String(result.stderr)))).toBe(
      'flow: task "wait" stopped after <dur> (interrupted)',
    );
    expect(await listFiles(tmp)).toEqual([".keep"]);
  });

  it("exits 1 with a one-line summary when a bash task fails", async () => {
    const result = await project.flow(["test", "bad", "broken"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("about to fail");
    expect(normalise(oneLine(result.stderr))).toBe(
      'flow: task "broken" failed in <dur>: exit code 5',
    );
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("exits 1 with a one-line summary when a function task throws; the stack goes to stdout", async () => {
    const result = await project.flow(["test", "bad", "throws"]);
    expect(result.exitCode).toBe(1);
    expect(normalise(result.stdout)).toMatch(
      /^\[<time>\] INFO trying\n\[<time>\] ERROR Error: kaput\n\s+at /,
    );
    expect(normalise(oneLine(result.stderr))).toBe(
      'flow: task "throws" failed in <dur>: Error: kaput',
    );
    expect(result.stderr).toContain(
      'flow: note: no run of dag "bad" has this logical date: ctx.upstream was empty',
    );
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("prints a function task's result in the summary; --date and --param reach the context", async () => {
    const result = await project.flow([
      "test",
      "etl",
      "summarise",
      "--date",
      "2026-01-05",
      "--param",
      "region=eu",
    ]);
    expect(result.exitCode).toBe(0);
    expect(normalise(result.stdout)).toBe(
      "[<time>] INFO summarising 2026-01-05 upstream {} region eu",
    );
    expect(normalise(oneLine(result.stderr))).toBe(
      'flow: task "summarise" succeeded in <dur>, result {"ds":"2026-01-05","rows":3}',
    );
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("uses now as the logical date without --date", async () => {
    const result = await project.flow(["test", "etl", "report"], {
      env: { FLOW_NOW: "2026-07-14T10:30:00Z" },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("report for 2026-07-14 try 1");
  });
});
