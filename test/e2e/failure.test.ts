import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";
import { isAlive } from "./processes.js";

let project: Project;
afterEach(async () => project?.cleanup());

interface StoredTask {
  state: string;
  try_number: number;
  reason: string | null;
  result?: unknown;
}

// The stored run (snapshot: the run has ended, so its journal was folded in).
async function storedRun(
  dagId: string,
): Promise<{ state: string; tasks: Record<string, StoredTask> }> {
  const dir = join(project.stateDir, "runs", dagId);
  const { readdir } = await import("node:fs/promises");
  const file = (await readdir(dir)).find((name) => name.endsWith(".json"))!;
  return JSON.parse(await readFile(join(dir, file), "utf8")).run;
}

function normaliseTimes(text: string): string {
  return text.trim().replace(/\[\d{4}-\d\d-\d\dT[\d:.]+Z\]/g, "[<time>]");
}

function states(run: { tasks: Record<string, StoredTask> }): Record<string, string> {
  return Object.fromEntries(Object.entries(run.tasks).map(([id, ti]) => [id, ti.state]));
}

describe("retries", () => {
  it("a task that fails twice then succeeds with retries: 2 ends success on try 3, each try with its own log", async () => {
    project = await makeProject({
      "pipelines/flaky.ts": `
import { dag, bash } from "flow";
const flaky = bash("flaky", 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "try $FLOW_TRY_NUMBER"; [ $n -ge 3 ]', { retries: 2, retryDelay: "200ms" });
export default dag({ id: "flaky", tasks: [flaky] });
`,
    });
    const result = await project.flow(["run", "flaky", "--date", "2026-01-01"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/flaky {2}up_for_retry .*\(try 1\/3\): exit code 1/);
    const run = await storedRun("flaky");
    expect(run.tasks.flaky).toMatchObject({ state: "success", try_number: 3 });
    for (const n of [1, 2, 3]) {
      expect(
        (await project.flow(["logs", "flaky", "flaky", "--try", String(n)])).stdout.trim(),
      ).toBe(`try ${n}`);
    }
  });

  it("noRetryExitCodes and FailTask fail at once, whatever the retries", async () => {
    project = await makeProject({
      "pipelines/noretry.ts": `
import { dag, bash, fn, FailTask } from "flow";
export default dag({ id: "noretry", defaults: { retries: 3, retryDelay: 0 }, tasks: [
  bash("bad_input", "exit 2", { noRetryExitCodes: [2] }),
  fn("bad_config", () => { throw new FailTask("no API key configured"); }),
] });
`,
    });
    expect((await project.flow(["run", "noretry", "--date", "2026-01-01"])).exitCode).toBe(1);
    const run = await storedRun("noretry");
    expect(run.tasks.bad_input).toMatchObject({
      state: "failed",
      try_number: 1,
      reason: "exit code 2 (no retry)",
    });
    expect(run.tasks.bad_config).toMatchObject({
      state: "failed",
      try_number: 1,
      reason: "no API key configured (no retry)",
    });
  });
});

describe("timeouts", () => {
  it("a timed-out bash task fails with 'timed out after 1s' and leaves no process behind", async () => {
    project = await makeProject({
      "pipelines/slow.ts": `
import { dag, bash } from "flow";
export default dag({ id: "slow", tasks: [
  bash("slow", 'sleep 60 & echo $! >> pids; sh -c "sleep 60 & echo \\\\$! >> pids; wait" & echo $! >> pids; echo $$ >> pids; wait', { timeout: "1s" }),
] });
`,
    });
    const result = await project.flow(["run", "slow", "--date", "2026-01-01"]);
    expect(result.exitCode).toBe(1);
    const run = await storedRun("slow");
    expect(run.tasks.slow).toMatchObject({ state: "failed", reason: "timed out after 1s" });
    const pids = (await project.read("pids")).trim().split("\n").map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(4);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

describe("why flow ended a try, in its log", () => {
  it("a bash or function try that timed out ends its log with flow's line saying so", async () => {
    project = await makeProject({
      "pipelines/late.ts": `
import { dag, bash, fn } from "flow";
export default dag({ id: "late", tasks: [
  bash("sleepy", "echo going to sleep; sleep 30", { timeout: "1s" }),
  fn("stuck", (ctx) => { ctx.log.info("waiting"); return new Promise(() => {}); }, { timeout: "1s" }),
] });
`,
    });
    expect((await project.flow(["run", "late", "--date", "2026-01-01"])).exitCode).toBe(1);
    const bashLog = (await project.flow(["logs", "late", "sleepy"])).stdout;
    expect(normaliseTimes(bashLog)).toBe(
      "going to sleep\n[<time>] ERROR flow: timed out after 1s: flow stopped the task's processes",
    );
    const fnLog = (await project.flow(["logs", "late", "stuck"])).stdout;
    expect(normaliseTimes(fnLog)).toBe(
      "[<time>] INFO waiting\n[<time>] ERROR flow: timed out after 1s: the try ended without waiting for its function",
    );
  });
});

describe("trigger rules, skipping and branching", () => {
  it("a branch runs the chosen path, skips the other, and a none_failed_min_one_success join still runs", async () => {
    project = await makeProject({
      "pipelines/branchy.ts": `
import { dag, bash, branch, chain } from "flow";
const pick = branch("pick", (ctx) => (ctx.params.size === "big" ? "big_path" : "small_path"));
const big = bash("big_path", "echo big");
const small = bash("small_path", "echo small");
const after_small = bash("after_small", "echo after");
const join = bash("join", "echo join", { triggerRule: "none_failed_min_one_success" });
chain(pick, [big, small]);
chain(small, after_small);
chain([big, after_small], join);
export default dag({ id: "branchy", params: { size: "small" }, tasks: [pick] });
`,
    });
    const result = await project.flow(["run", "branchy", "--date", "2026-01-01"]);
    expect(result.exitCode, result.stdout).toBe(0);
    const run = await storedRun("branchy");
    expect(states(run)).toEqual({
      pick: "success",
      big_path: "skipped",
      small_path: "success",
      after_small: "success",
      join: "success",
    });
    expect(run.tasks.big_path!.reason).toBe('branch "pick" chose "small_path"');
    expect(run.state).toBe("success");
  });

  it("a branch that returns an unknown task fails with a clear reason", async () => {
    project = await makeProject({
      "pipelines/badbranch.ts": `
import { dag, bash, branch } from "flow";
const pick = branch("pick", () => "nowhere", { retries: 2 });
export default dag({ id: "badbranch", tasks: [pick, bash("a", "true", { upstream: [pick] })] });
`,
    });
    expect((await project.flow(["run", "badbranch", "--date", "2026-01-01"])).exitCode).toBe(1);
    const run = await storedRun("badbranch");
    expect(run.tasks.pick).toMatchObject({
      state: "failed",
      try_number: 1,
      reason: 'branch returned "nowhere", not one of its direct downstream tasks ("a")',
    });
    expect(run.tasks.a!.state).toBe("upstream_failed");
  });

  it("a short-circuit returning false skips everything downstream; the run succeeds", async () => {
    project = await makeProject({
      "pipelines/gate.ts": `
import { dag, bash, fn, shortCircuit, chain } from "flow";
const gate = shortCircuit("has_data", () => false);
chain(bash("start", "true"), gate, bash("load", "echo load > loaded"), fn("report", () => 1));
export default dag({ id: "gate", tasks: [gate] });
`,
    });
    expect((await project.flow(["run", "gate", "--date", "2026-01-01"])).exitCode).toBe(0);
    const run = await storedRun("gate");
    expect(states(run)).toEqual({
      start: "success",
      has_data: "success",
      load: "skipped",
      report: "skipped",
    });
    expect(run.tasks.report!.reason).toBe('short-circuit "has_data" returned false');
  });

  it("SkipTask and bash exit 99 skip a task; skips cascade; an all_done cleanup runs after a failure", async () => {
    project = await makeProject({
      "pipelines/skips.ts": `
import { dag, bash, fn, SkipTask, chain } from "flow";
const quiet = fn("quiet", () => { throw new SkipTask("no new files today"); });
const after_quiet = bash("after_quiet", "true", { upstream: [quiet] });
const exit99 = bash("exit99", "exit 99");
const broken = bash("broken", "exit 1");
const cleanup = bash("cleanup", "echo cleaned > cleaned", { triggerRule: "all_done", upstream: [broken, exit99] });
export default dag({ id: "skips", tasks: [quiet, after_quiet, exit99, broken, cleanup] });
`,
    });
    const result = await project.flow(["run", "skips", "--date", "2026-01-01"]);
    const run = await storedRun("skips");
    expect(states(run)).toEqual({
      quiet: "skipped",
      after_quiet: "skipped",
      exit99: "skipped",
      broken: "failed",
      cleanup: "success",
    });
    expect(run.tasks.quiet!.reason).toBe("no new files today");
    expect(run.tasks.exit99!.reason).toBe("exit code 99 (skip)");
    // Airflow's leaf rule: the leaves are after_quiet (skipped) and cleanup (success).
    expect(run.state).toBe("success");
    expect(result.exitCode).toBe(0);
    expect(await project.read("cleaned")).toBe("cleaned\n");
  });
});

describe("failFast", () => {
  it("the first failure stops running tasks, skips the rest and fails the run", async () => {
    project = await makeProject({
      "pipelines/ff.ts": `
import { dag, bash, chain } from "flow";
const fails = bash("fails", "sleep 0.3; exit 1");
const slow = bash("slow", "sleep 30");
const later = bash("later", "true", { upstream: [slow] });
const after_fail = bash("after_fail", "true", { upstream: [fails] });
export default dag({ id: "ff", failFast: true, tasks: [fails, slow, later, after_fail] });
`,
    });
    const started = Date.now();
    const result = await project.flow(["run", "ff", "--date", "2026-01-01"]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.exitCode).toBe(1);
    const run = await storedRun("ff");
    expect(run.state).toBe("failed");
    expect(states(run)).toEqual({
      fails: "failed",
      slow: "failed",
      later: "skipped",
      after_fail: "upstream_failed",
    });
    expect(run.tasks.slow!.reason).toBe('stopped: fail_fast after task "fails" failed');
    expect(run.tasks.later!.reason).toBe('fail_fast: task "fails" failed');
    // The stopped try's log says why flow stopped it, not "cancelled".
    const log = (await project.flow(["logs", "ff", "slow", "--try", "1"])).stdout.trim();
    expect(log.split("\n").at(-1)).toMatch(
      /ERROR flow: fail_fast: task "fails" failed: flow stopped the task's processes$/,
    );
  });

  it("a failFast DAG may only use the default trigger rule", async () => {
    project = await makeProject({
      "pipelines/ff.ts": `
import { dag, bash } from "flow";
export default dag({ id: "ff", failFast: true, tasks: [bash("a", "true", { triggerRule: "all_done" })] });
`,
    });
    const result = await project.flow(["validate"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      'dag "ff": task "a": trigger rule all_done is not allowed in a failFast DAG',
    );
  });
});

describe("callbacks", () => {
  it("task and DAG callbacks get the context and the error; one that throws is logged and changes nothing", async () => {
    project = await makeProject({
      "pipelines/cb.ts": `
import { appendFileSync } from "node:fs";
import { dag, bash, fn } from "flow";
const note = (line: string) => appendFileSync("calls.txt", line + "\\n");
const flaky = bash("flaky", "exit 1", {
  retries: 1,
  retryDelay: 0,
  onRetry: (ctx) => note(\`retry \${ctx.taskId} try \${ctx.tryNumber}: \${ctx.error}\`),
  onFailure: (ctx) => note(\`failure \${ctx.taskId} try \${ctx.tryNumber}: \${ctx.error}\`),
});
const good = fn("good", () => 42, {
  onSuccess: () => { throw new Error("callback bug"); },
});
export default dag({
  id: "cb",
  tasks: [flaky, good],
  onFailure: (ctx) => note(\`dag failed \${ctx.runId} \${ctx.failedTasks.join(",")}\`),
  onSuccess: () => note("dag succeeded"),
});
`,
    });
    const result = await project.flow(["run", "cb", "--date", "2026-01-01"]);
    expect(result.exitCode).toBe(1);
    expect((await project.read("calls.txt")).trim().split("\n")).toEqual([
      "retry flaky try 1: exit code 1",
      "failure flaky try 2: exit code 1",
      "dag failed manual__2026-01-01T00:00:00+00:00 flaky",
    ]);
    const run = await storedRun("cb");
    expect(run.tasks.good).toMatchObject({ state: "success", result: 42 });
    expect((await project.flow(["logs", "cb", "good"])).stdout).toMatch(
      /ERROR callback onSuccess threw: Error: callback bug/,
    );
  });

  it("a callback that never settles is left behind after FLOW_CALLBACK_TIMEOUT_MS: the run ends failed, exit 1", async () => {
    project = await makeProject({
      "pipelines/hang.ts": `
import { dag, bash } from "flow";
const boom = bash("boom", "exit 1", { onFailure: () => new Promise(() => {}) });
export default dag({ id: "hang", tasks: [boom], onFailure: () => new Promise(() => {}) });
`,
    });
    const result = await project.flow(["run", "hang", "--date", "2026-01-01"], {
      env: { FLOW_CALLBACK_TIMEOUT_MS: "500" },
    });
    expect([result.exitCode, result.stderr]).toEqual([1, ""]);
    expect(result.stdout).toContain("manual__2026-01-01T00:00:00+00:00 failed");
    expect((await storedRun("hang")).state).toBe("failed");
    expect((await project.flow(["logs", "hang", "boom"])).stdout).toContain(
      "ERROR callback onFailure did not finish within 500ms: the run went on without it (FLOW_CALLBACK_TIMEOUT_MS)",
    );
    const runLog = await project.read("state/logs/hang/manual__2026-01-01T00:00:00+00:00/run.log");
    expect(runLog).toContain("ERROR dag callback onFailure did not finish within 500ms");
  });
});
