import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeProject, normalise, type Project } from "./harness.js";

// `flow test` of an externalTask sensor reads other DAGs' states as a run does, and never writes.

const UPSTREAM = `
import { dag, fn } from "flow";
export default dag({ id: "upstream", tasks: [
  fn("export", () => 1),
  fn("broken", () => { throw new Error("broke"); }),
] });
`;

const DOWNSTREAM = `
import { dag, externalTask } from "flow";
const quick = { pokeInterval: "100ms", timeout: "600ms" };
const long = { pokeInterval: "100ms", timeout: "30s" };
export default dag({ id: "downstream", tasks: [
  externalTask("wait_export", { dag: "upstream", task: "export", ...quick }),
  externalTask("wait_export_long", { dag: "upstream", task: "export", ...long }),
  externalTask("wait_export_once", { dag: "upstream", task: "export", ...long, mode: "reschedule" }),
  externalTask("wait_broken", { dag: "upstream", task: "broken", ...long }),
  externalTask("typo_task", { dag: "upstream", task: "exprt", ...long }),
  externalTask("typo_dag", { dag: "upstrem", task: "export", ...long }),
] });
`;

// FLOW_* variables of the environment the tests run in would change what flow reads; the harness
// sets FLOW_CACHE_DIR, FLOW_HOME and FLOW_PIPELINES itself.
const ENV = Object.fromEntries(
  Object.keys(process.env)
    .filter((name) => name.startsWith("FLOW_") && name !== "FLOW_CACHE_DIR")
    .map((name) => [name, ""]),
);

const DATE = ["--date", "2026-01-01"];

let project: Project;
beforeEach(async () => {
  project = await makeProject({
    "pipelines/upstream.ts": UPSTREAM,
    "pipelines/downstream.ts": DOWNSTREAM,
  });
});
afterEach(async () => project.cleanup());

const test = (task: string) => project.flow(["test", "downstream", task, ...DATE], { env: ENV });

// Every folder and file under the state dir, files with their bytes.
async function snapshot(dir: string): Promise<Map<string, Buffer | "dir">> {
  const found = new Map<string, Buffer | "dir">();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    found.set(relative(dir, path), entry.isDirectory() ? "dir" : await readFile(path));
  }
  return found;
}

/** stderr must be exactly one line; returns it, normalised. */
function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  return normalise(lines[0]!);
}

async function recordUpstreamRun(): Promise<Map<string, Buffer | "dir">> {
  const run = await project.flow(["run", "upstream", ...DATE], { env: ENV });
  expect(run.exitCode, run.stderr).toBe(1); // "broken" failed, as meant
  return snapshot(project.stateDir);
}

describe("flow test of an externalTask sensor", () => {
  it("succeeds when a recorded run has the task's success, leaving the state dir byte-identical", async () => {
    const before = await recordUpstreamRun();
    for (const task of ["wait_export", "wait_export_once"]) {
      const result = await test(task);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(normalise(result.stdout)).toBe(
        '[<time>] INFO task "export" of dag "upstream" (logical date <time>): success',
      );
      expect(oneLine(result.stderr)).toBe(`flow: task "${task}" succeeded in <dur>`);
    }
    expect(await snapshot(project.stateDir)).toEqual(before);
  });

  it("fails at once for an unknown task or DAG, or a failed task, saying why in one line", async () => {
    const before = await recordUpstreamRun();
    const cases: [string, string][] = [
      [
        "typo_task",
        'dag "upstream" has no task "exprt" (did you mean "export"? tasks: broken, export)',
      ],
      [
        "typo_dag",
        'no pipeline defines dag "upstrem" (did you mean "upstream"? dags: downstream, upstream)',
      ],
      ["wait_broken", 'task "broken" of dag "upstream" (logical date <time>) is failed'],
    ];
    for (const [task, why] of cases) {
      const started = Date.now();
      const result = await test(task);
      expect(result.exitCode).toBe(1);
      expect(oneLine(result.stderr)).toBe(
        `flow: task "${task}" failed in <dur>: ${why} (no retry)`,
      );
      // At once: well before the sensor's 30 s timeout.
      expect(Date.now() - started).toBeLessThan(15_000);
    }
    expect(await snapshot(project.stateDir)).toEqual(before);
  });

  it("without any state pokes until its timeout, and creates no state dir", async () => {
    const result = await test("wait_export");
    expect(result.exitCode).toBe(1);
    expect(oneLine(result.stderr)).toBe(
      'flow: task "wait_export" failed in <dur>: sensor timed out after <dur> (no retry)',
    );
    expect(result.stderr).toContain("sensor timed out after 600ms");
    const noRunYet = normalise(result.stdout)
      .split("\n")
      .filter((line) => line.endsWith(": no run yet"));
    expect(noRunYet.length).toBeGreaterThanOrEqual(3);
    expect(noRunYet[0]).toBe(
      '[<time>] INFO task "export" of dag "upstream" (logical date <time>): no run yet',
    );
    // Reschedule mode pokes once, as one try does.
    const once = await test("wait_export_once");
    expect(once.exitCode).toBe(1);
    expect(oneLine(once.stderr)).toBe(
      'flow: sensor "wait_export_once" is not done yet after <dur>',
    );
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("pokes while the other task has no run, and succeeds once a run records its success", async () => {
    const child = project.spawn(["test", "downstream", "wait_export_long", ...DATE], { env: ENV });
    let seen = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no poke: ${seen}`)), 15_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (!seen.includes("poke 2: not done yet")) return;
        clearTimeout(timer);
        resolve();
      });
    });
    await recordUpstreamRun();
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/\(logical date [^)]+\): success$/);
    expect(oneLine(String(result.stderr))).toBe('flow: task "wait_export_long" succeeded in <dur>');
  });
});
