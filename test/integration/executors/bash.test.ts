import { spawn } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bash } from "../../../src/api/index.js";
import type { Task } from "../../../src/api/definitions.js";
import { BashExecutor } from "../../../src/executors/bash.js";
import { findNativeSpawner, type SpawnerChoice } from "../../../src/executors/bash-spawner.js";
import {
  fixture,
  isRunning,
  makeExecution,
  makeProject,
  parentOf,
  resolverFor,
  runTry,
  sleep,
  waitForPids,
  waitUntil,
  type ExecutionOptions,
} from "./helpers.js";

const GRACE_MS = 300;
const executors: BashExecutor[] = [];
// Every case runs through both ways of starting tasks: the native spawner (when `npm run build`
// built it) and the sh helper, its fallback.
const SPAWNERS: SpawnerChoice[] = findNativeSpawner() ? ["native", "sh"] : ["sh"];
let spawner: SpawnerChoice = "auto";

afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.close()));
});

function setUp(...tasks: Task[]): { executor: BashExecutor; project: ExecutionOptions["project"] } {
  const executor = new BashExecutor(resolverFor(...tasks), { graceMs: GRACE_MS, spawner });
  executors.push(executor);
  return { executor, project: makeProject() };
}

describe.each(SPAWNERS)("BashExecutor, %s spawner", (choice) => {
  beforeEach(() => {
    spawner = choice;
  });

  it("records success, and the started pid", async () => {
    const task = bash("ok", `${fixture("exit-with.sh")} 0`);
    const { executor, project } = setUp(task);
    const { outcome, pids } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toEqual({ status: "success", exitCode: 0 });
    expect(pids).toHaveLength(1);
    expect(pids[0]).toBeGreaterThan(0);
  });

  it("records the exit code and keeps stdout and stderr in the log", async () => {
    const task = bash("fails", `${fixture("exit-with.sh")} 3`);
    const { executor, project } = setUp(task);
    const { outcome, log } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toEqual({
      status: "failed",
      error: "exit code 3",
      exitCode: 3,
      retryable: true,
    });
    expect(log).toBe("to stdout\nto stderr\n");
  });

  it.each([
    ["a simple command, run without a shell", "/bin/echo hello   world", "hello world\n"],
    ["a builtin, run by bash", "echo -e 'a\\tb'", "a\tb\n"],
    ["a pipeline with expansions", "printf '%s\\n' $((6 * 7)) | tr 4 X", "X2\n"],
    ["bash syntax", "x=(a b c); echo ${#x[@]} ${x[1]}", "3 b\n"],
    ["several lines", "echo one\necho two", "one\ntwo\n"],
  ])("runs %s", async (_name, command, expected) => {
    const task = bash("cmd", command);
    const { executor, project } = setUp(task);
    const { outcome, log } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome.status).toBe("success");
    expect(log).toBe(expected);
  });

  it("reports an unknown program as exit code 127", async () => {
    const task = bash("missing", "no-such-program-here --flag");
    const { executor, project } = setUp(task);
    const { outcome, log } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toMatchObject({ status: "failed", error: "exit code 127", exitCode: 127 });
    expect(log).toMatch(/not found/);
  });

  it("reports a task killed by a signal", async () => {
    const task = bash("killed", "kill -TERM $$");
    const { executor, project } = setUp(task);
    const { outcome } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toMatchObject({ status: "failed", error: "killed by SIGTERM" });
  });

  it("passes flow's FLOW_* variables and the task's env, quotes and odd names included", async () => {
    const env = { REGION: "eu west", QUOTED: `it's "quoted" $HOME \\n`, "my-var": "dash" };
    // env(1), not a script: sh drops variables whose names it cannot use (my-var) from its children.
    const task = bash("env", "env", { env });
    const { executor, project } = setUp(task);
    const execution = makeExecution(task, { project, context: { tryNumber: 2 } });
    const { outcome, log } = await runTry(executor, execution);
    expect(outcome.status).toBe("success");
    expect(log).toContain("FLOW_DAG_ID=demo\n");
    expect(log).toContain("FLOW_RUN_ID=manual__2026-01-02T00:00:00.000Z\n");
    expect(log).toContain("FLOW_TASK_ID=env\n");
    expect(log).toContain("FLOW_TRY_NUMBER=2\n");
    expect(log).toContain("FLOW_DS=2026-01-02\n");
    expect(log).toContain("FLOW_LOGICAL_DATE=2026-01-02T00:00:00.000Z\n");
    expect(log).toContain("REGION=eu west\n");
    expect(log).toContain(`QUOTED=it's "quoted" $HOME \\n\n`);
    expect(log).toContain("my-var=dash\n");
    expect(log).toContain(`HOME=${process.env.HOME}\n`);
  });

  it("runs in the task's cwd, resolved against the pipeline's folder", async () => {
    const task = bash("cwd", fixture("print-env.sh"), { cwd: "../data" });
    const { executor, project } = setUp(task);
    mkdirSync(join(project.dir, "data"));
    const { log } = await runTry(executor, makeExecution(task, { project }));
    expect(log).toBe(`cwd=${join(project.dir, "data")}\n`);
  });

  it("runs in the process's cwd when the task sets none", async () => {
    const task = bash("cwd", "pwd");
    const { executor, project } = setUp(task);
    const { log } = await runTry(executor, makeExecution(task, { project }));
    expect(log).toBe(`${process.cwd()}\n`);
  });

  it("fails the try when the cwd does not exist", async () => {
    const task = bash("cwd", "pwd", { cwd: "/no/such/folder" });
    const { executor, project } = setUp(task);
    const { outcome, log } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toMatchObject({ status: "failed", error: "exit code 2" });
    expect(log).toMatch(/can't cd|No such file/);
  });

  it("computes a command given as a function from the task context; its log lines come first", async () => {
    const task = bash("computed", (ctx) => {
      ctx.log.info("building the command for", ctx.ds);
      return `echo ${ctx.dsNodash} ${String(ctx.params.region)} ${ctx.upstream.extract as string}`;
    });
    const { executor, project } = setUp(task);
    const execution = makeExecution(task, {
      project,
      upstream: ["extract"],
      results: { extract: "rows" },
    });
    const { outcome, log } = await runTry(executor, execution);
    expect(outcome.status).toBe("success");
    expect(log).toMatch(
      /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] INFO building the command for 2026-01-02\n20260102 eu rows\n$/,
    );
  });

  it("fails the try without starting anything when the command function throws", async () => {
    const task = bash("computed", () => {
      throw new Error("no table for today\nsecond line");
    });
    const { executor, project } = setUp(task);
    const { outcome, pids } = await runTry(executor, makeExecution(task, { project }));
    expect(outcome).toEqual({
      status: "failed",
      error: "Error: no table for today",
      retryable: true,
    });
    expect(pids).toEqual([]);
  });

  it("runs a flaky script until it passes, each try on its own", async () => {
    const { dir } = makeProject();
    const counter = join(dir, "count");
    const task = bash("flaky", `${fixture("fail-times.sh")} ${counter} 2`);
    const { executor, project } = setUp(task);
    const statuses: string[] = [];
    for (let tryNumber = 1; tryNumber <= 3; tryNumber++) {
      const { outcome, log } = await runTry(
        executor,
        makeExecution(task, { project, context: { tryNumber } }),
      );
      statuses.push(`${outcome.status} ${log.trim()}`);
    }
    expect(statuses).toEqual(["failed run 1", "failed run 2", "success run 3"]);
  });

  it("stops a try at its timeout, grandchildren included", async () => {
    const { dir } = makeProject();
    const pidFile = join(dir, "pids");
    const task = bash("slow", `${fixture("spawn-tree.sh")} ${pidFile}`);
    const { executor, project } = setUp(task);
    const started = Date.now();
    const { outcome } = await runTry(executor, makeExecution(task, { project, timeoutMs: 1000 }));
    expect(outcome).toEqual({
      status: "failed",
      error: "timed out after 1s",
      timedOut: true,
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(1000 + GRACE_MS + 1000);
    const pids = await waitForPids(pidFile, 4);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("kills processes that ignore SIGTERM once the grace period is over", async () => {
    const { dir } = makeProject();
    const pidFile = join(dir, "pids");
    const task = bash("stubborn", `${fixture("spawn-tree.sh")} ${pidFile} ignore-term`);
    const { executor, project } = setUp(task);
    const started = Date.now();
    const { outcome } = await runTry(executor, makeExecution(task, { project, timeoutMs: 500 }));
    expect(outcome).toMatchObject({
      status: "failed",
      error: "timed out after 500ms",
      timedOut: true,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500 + GRACE_MS - 50);
    const pids = await waitForPids(pidFile, 4);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("stops a try when the run is cancelled", async () => {
    const { dir } = makeProject();
    const pidFile = join(dir, "pids");
    const task = bash("slow", `${fixture("spawn-tree.sh")} ${pidFile}`);
    const { executor, project } = setUp(task);
    const controller = new AbortController();
    const running = runTry(executor, makeExecution(task, { project, signal: controller.signal }));
    const pids = await waitForPids(pidFile, 4);
    controller.abort();
    const { outcome } = await running;
    expect(outcome).toEqual({ status: "failed", error: "cancelled", retryable: true });
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("starts nothing when the run is already cancelled", async () => {
    const task = bash("never", "sleep 100");
    const { executor, project } = setUp(task);
    const signal = AbortSignal.abort();
    const { outcome, pids } = await runTry(executor, makeExecution(task, { project, signal }));
    expect(outcome).toMatchObject({ status: "failed", error: "cancelled" });
    expect(pids).toEqual([]);
  });

  it("stops a try cancelled right after it was handed over", async () => {
    const task = bash("slow", "sleep 100");
    const { executor, project } = setUp(task);
    const controller = new AbortController();
    const running = runTry(executor, makeExecution(task, { project, signal: controller.signal }));
    await sleep(1);
    controller.abort();
    expect((await running).outcome).toMatchObject({ status: "failed", error: "cancelled" });
  });

  it("leaves no process behind on close(): tasks, their children, the helper", async () => {
    const { dir } = makeProject();
    const pidFile = join(dir, "pids");
    const task = bash("slow", `${fixture("spawn-tree.sh")} ${pidFile}`);
    const { executor, project } = setUp(task);
    const started: number[] = [];
    const running = executor.execute(makeExecution(task, { project }), ({ pid }) =>
      started.push(pid),
    );
    const pids = await waitForPids(pidFile, 4);
    const helper = parentOf(started[0]!);
    await executor.close();
    expect([helper, ...started, ...pids].filter(isRunning)).toEqual([]);
    expect(await running).toEqual({ status: "failed", error: "executor closed", retryable: true });
  });

  it("kills every task when flow itself dies, even by SIGKILL", async () => {
    const { dir } = makeProject();
    const pidFile = join(dir, "pids");
    const host = spawn(
      process.execPath,
      ["--import", "tsx", fixture("host-executor.ts"), fixture("spawn-tree.sh"), pidFile],
      { stdio: "ignore", env: { ...process.env, FLOW_BASH_SPAWNER: spawner } },
    );
    const pids = await waitForPids(pidFile, 4, 15_000);
    host.kill("SIGKILL");
    expect(await waitUntil(() => pids.every((pid) => !isRunning(pid)))).toBe(true);
  });

  it("runs 50 tasks at once", async () => {
    const tasks = Array.from({ length: 50 }, (_, i) => bash(`t${i}`, `sleep 0.5 && echo ${i}`));
    const { executor, project } = setUp(...tasks);
    const started = Date.now();
    const results = await Promise.all(
      tasks.map((task) => runTry(executor, makeExecution(task, { project }))),
    );
    expect(Date.now() - started).toBeLessThan(4000);
    expect(results.map(({ outcome }) => outcome.status)).toEqual(tasks.map(() => "success"));
    expect(results.map(({ log }) => log)).toEqual(tasks.map((_, i) => `${i}\n`));
  });

  it("reports each start before its end, also for tasks that end at once", async () => {
    const tasks = Array.from({ length: 100 }, (_, i) => bash(`q${i}`, "/bin/true"));
    const { executor, project } = setUp(...tasks);
    const events: string[][] = tasks.map(() => []);
    await Promise.all(
      tasks.map(async (task, i) => {
        const outcome = await executor.execute(makeExecution(task, { project }), () =>
          events[i]!.push("started"),
        );
        events[i]!.push(outcome.status);
      }),
    );
    expect(events).toEqual(tasks.map(() => ["started", "success"]));
  });

  it("writes big output straight to the log without holding it in memory", async () => {
    const size = 50 * 1024 * 1024;
    const task = bash("big", `head -c ${size} /dev/zero`);
    const { executor, project } = setUp(task);
    const execution = makeExecution(task, { project });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const outcome = await executor.execute(execution, () => {});
    clearInterval(sampler);
    expect(outcome.status).toBe("success");
    expect(statSync(execution.logPath).size).toBe(size);
    expect(peak - before).toBeLessThan(20 * 1024 * 1024);
  });

  it("survives its helper being killed: running tries fail, the next one starts a new helper", async () => {
    const slow = bash("slow", "sleep 100");
    const quick = bash("quick", "echo again");
    const { executor, project } = setUp(slow, quick);
    const started: number[] = [];
    const running = executor.execute(makeExecution(slow, { project }), ({ pid }) =>
      started.push(pid),
    );
    await waitUntil(() => started.length > 0);
    // The whole group: a helper killed alone would leave its running tasks as orphans.
    process.kill(-parentOf(started[0]!), "SIGKILL");
    expect(await running).toMatchObject({ status: "failed", error: "shell helper exited" });
    const { outcome, log } = await runTry(executor, makeExecution(quick, { project }));
    expect(outcome.status).toBe("success");
    expect(log).toBe("again\n");
  });
});
