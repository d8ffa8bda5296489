import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readRawState } from "../../fault/fault-harness.js";
import { isAlive } from "../processes.js";
import { pidWrittenTo, queueSetup, storedRun, until, type QueueSetup } from "./queue-helpers.js";

// What the queue survives: a worker killed with -9 or frozen, the driver killed with -9, Redis
// restarted, Ctrl-C. Nothing lost, no result recorded twice. Every kill waits until the try
// has started on a worker, so it lands inside the killed process's lifetime.

// `slow` appends a line per start to starts.txt (in the worker's cwd, the project dir).
const SLOW = (seconds: number, after = "true"): string => `
import { bash, chain, dag } from "flow";
const slow = bash("slow", "echo start >> starts.txt; echo begin; sleep ${seconds}; echo end");
const after = bash("after", ${JSON.stringify(after)});
chain(slow, after);
export default dag({ id: "etl", tasks: [slow, after] });
`;

let setup: QueueSetup | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

async function starts(queue: QueueSetup): Promise<number> {
  try {
    return (await readFile(join(queue.project.dir, "starts.txt"), "utf8"))
      .split("\n")
      .filter(Boolean).length;
  } catch {
    return 0;
  }
}

async function waitForStarts(queue: QueueSetup, count: number, timeoutMs = 20_000): Promise<void> {
  await until(
    async () => (await starts(queue)) >= count,
    timeoutMs,
    () => `${count} start(s) of slow`,
  );
}

describe("the queue executor survives", () => {
  it("a worker killed with -9 mid-task: the try is delivered again, the run succeeds, one result", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": SLOW(3) });
    const a = await setup.worker(["--concurrency", "1"]);
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs]);
    await waitForStarts(setup, 1);
    await setup.worker(["--concurrency", "1"]);
    process.kill(a.pid, "SIGKILL");
    const killedAt = Date.now();
    const result = await driver;
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(await starts(setup)).toBe(2); // at least once: the task ran again on the second worker
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({ state: "success", try_number: 1 });
    const log = await readFile(run.tasks.slow!.log_path!, "utf8");
    expect(log).toMatch(/^begin\n/);
    expect(log).toMatch(/flow: delivery 2 of try 1 on worker \S+: .*\nbegin\nend\n$/);
  }, 60_000);

  it("its only worker killed with -9: once no worker takes the try back, it fails (retryable)", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": SLOW(30) });
    const a = await setup.worker(["--concurrency", "1"]);
    const env = { FLOW_QUEUE_ORPHAN_MS: "2000" };
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs], { env });
    await waitForStarts(setup, 1);
    process.kill(a.pid, "SIGKILL");
    const result = await driver;
    expect(result.exitCode).toBe(1);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow?.reason).toBe(
      "its worker stopped answering and no worker took the try back within 2s",
    );
  }, 60_000);

  it("its only worker stopped (SIGTERM): the try it handed back fails once no worker takes it (retryable)", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": SLOW(30) });
    const a = await setup.worker(["--concurrency", "1", "--grace", "1s"]);
    const env = { FLOW_QUEUE_ORPHAN_MS: "2000" };
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs], { env });
    await waitForStarts(setup, 1);
    process.kill(a.pid, "SIGTERM");
    const result = await driver;
    expect(result.exitCode).toBe(1);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({
      state: "failed",
      reason: "its worker handed the try back and no worker took it within 2s",
    });
    // The stop line says why the task's processes were stopped: handed back, not "cancelled".
    expect(await readFile(run.tasks.slow!.log_path!, "utf8")).toMatch(
      /^begin\n(Terminated\n)?\[\S+\] ERROR flow: handed back to the queue: the worker is stopping: flow stopped the task's processes\nflow: worker \S+ stopped before the try ended; the try goes back to the queue and starts over on another worker\n/,
    );
  }, 60_000);

  it("the driver killed with -9: a restarted driver adopts the try (not run again); a local one refuses", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": SLOW(6) });
    // The killed driver's run lock goes stale after 2 s (10 s by default).
    const env = { FLOW_LOCK_STALE_MS: "2000" };
    await setup.worker();
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs], { env });
    await waitForStarts(setup, 1);
    // The worker's "started" reaches the driver through Redis after the task's process starts:
    // the kill is aimed at a try the driver has recorded as running.
    await until(
      async () =>
        [...readRawState(setup!.project.stateDir).runs.values()][0]?.tasks.slow?.state ===
        "running",
      10_000,
      () => "the driver to record slow as running",
    );
    process.kill(driver.pid!, "SIGKILL");
    await driver;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { run_id: runId } = await storedRun(setup.project, "etl");

    // No command without the queue fails the try as lost, nor may it resume the run.
    const status = await setup.project.flow(["status", "etl", "--json"], { env });
    expect(status.exitCode).toBe(0);
    const local = await setup.project.flow(["run", "etl", "--run", runId], { env });
    expect(local.exitCode, local.stderr).toBe(2);
    expect(local.stderr).toContain("has tries held by the queue (slow try 1)");
    expect(local.stderr).toContain("--executor queue");
    expect((await storedRun(setup.project, "etl")).tasks.slow?.state).toBe("running");

    const resumed = await setup.project.flow(["run", "etl", "--run", runId, ...setup.queueArgs], {
      env,
    });
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(await starts(setup)).toBe(1);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({ state: "success", try_number: 1 });
    expect(await readFile(run.tasks.slow!.log_path!, "utf8")).toBe("begin\nend\n");
  }, 60_000);

  it("flow clear of a try a worker runs (its driver gone) stops it on the worker", async () => {
    setup = await queueSetup({
      "pipelines/etl.ts": `
import { bash, dag } from "flow";
export default dag({ id: "etl", tasks: [bash("slow", "echo $$ > task.pid; sleep 60 & wait")] });
`,
    });
    const env = { FLOW_LOCK_STALE_MS: "2000", FLOW_REDIS_URL: setup.redis.url };
    await setup.worker();
    const driver = setup.project.spawn(["run", "etl", "--executor", "queue"], { env });
    const taskPid = await pidWrittenTo(setup.project, "task.pid");
    process.kill(driver.pid!, "SIGKILL");
    await driver;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { run_id: runId } = await storedRun(setup.project, "etl");
    const clear = await setup.project.flow(["clear", "etl", "--run", runId, "--yes"], { env });
    expect(clear.exitCode, clear.stderr).toBe(0);
    expect(clear.stdout).toContain("asked the workers to stop 1 cleared tries");
    await until(
      () => !isAlive(taskPid),
      10_000,
      () => `task ${taskPid} stopped`,
    );
    expect((await storedRun(setup.project, "etl")).tasks.slow).toMatchObject({ state: "none" });
  }, 60_000);

  it("Redis restarted mid-run (append-only file on): the run succeeds, the try ran once", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": SLOW(3) }, { persist: true });
    await setup.worker();
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs]);
    await waitForStarts(setup, 1);
    await setup.redis.restart({ downMs: 1_000 });
    const result = await driver;
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    // While Redis was down, the driver's queues reconnected quietly (no dump of each error).
    expect(String(result.stderr)).not.toMatch(/ECONNREFUSED|errno|at TCPConnectWrap/);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({ state: "success", try_number: 1 });
    expect(run.tasks.after?.state).toBe("success");
  }, 60_000);

  it("a frozen worker's late result: the try ran twice, one result recorded, the late one ignored", async () => {
    // `after` keeps the driver running while the frozen worker wakes up and reports.
    setup = await queueSetup({ "pipelines/etl.ts": SLOW(2, "sleep 6") });
    const a = await setup.worker(["--concurrency", "1"]);
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs]);
    await waitForStarts(setup, 1);
    process.kill(a.pid, "SIGSTOP"); // its lock lapses; another worker gets the try
    await setup.worker(["--concurrency", "1"]);
    await until(
      async () => (await storedRun(setup!.project, "etl")).tasks.slow?.state === "success",
      40_000,
      () => "slow done on worker B",
    );
    process.kill(a.pid, "SIGCONT"); // A finishes its copy and reports too late
    const result = await driver;
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(await starts(setup)).toBe(2);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({ state: "success", try_number: 1 });
    const log = await readFile(run.tasks.slow!.log_path!, "utf8");
    expect(log.match(/^end$/gm)).toHaveLength(1);
    expect(log).toContain("flow: delivery 2 of try 1");
  }, 90_000);

  it("Ctrl-C: the worker stops the task's process tree before the driver exits 130", async () => {
    setup = await queueSetup({
      "pipelines/etl.ts": `
import { bash, dag } from "flow";
export default dag({ id: "etl", tasks: [bash("slow", "echo $$ > task.pid; sleep 60 & wait")] });
`,
    });
    await setup.worker();
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs, "--grace", "0"]);
    const taskPid = await pidWrittenTo(setup.project, "task.pid");
    process.kill(driver.pid!, "SIGINT");
    const result = await driver;
    expect(result.exitCode).toBe(130);
    expect(isAlive(taskPid)).toBe(false);
    const run = await storedRun(setup.project, "etl");
    expect(run.state).toBe("queued");
    expect(run.tasks.slow?.state).not.toBe("running");
  }, 60_000);
});
