import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closedPort } from "../helpers-servers.js";
import { EXAMPLE_DEFAULTS, REPO_PIPELINES, makeProject, statusJson } from "../harness.js";
import { queueSetup, storedRun, until, type QueueSetup } from "./queue-helpers.js";

// `--executor queue` end to end: the real `flow` driving runs, real `flow worker`s, and a
// redis-server of the test's own.

let setup: QueueSetup | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

describe("flow run --executor queue", () => {
  it.each([1, 3])(
    "runs the bundled examples on %i worker(s), every log complete",
    async (count) => {
      setup = await queueSetup({});
      const { project, queueArgs } = setup;
      await cp(REPO_PIPELINES, join(project.dir, "pipelines"), { recursive: true });
      for (let i = 0; i < count; i++) await setup.worker(["--concurrency", "2"]);
      for (const dag of ["rocket_launches", "user_events"]) {
        const run = await project.flow(["run", dag, "--date", "2026-01-05", ...queueArgs], {
          env: EXAMPLE_DEFAULTS,
        });
        expect(run.stderr).toBe("");
        expect(run.exitCode, run.stdout).toBe(0);
      }
      const local = await makeProject();
      try {
        await cp(REPO_PIPELINES, join(local.dir, "pipelines"), { recursive: true });
        for (const dag of ["rocket_launches", "user_events"]) {
          await local.flow(["run", dag, "--date", "2026-01-05"], { env: EXAMPLE_DEFAULTS });
          const stored = await storedRun(project, dag);
          const here = await storedRun(local, dag);
          for (const [taskId, ti] of Object.entries(stored.tasks)) {
            expect(ti.state, taskId).toBe("success");
            expect(ti.hostname, taskId).toBeTypeOf("string");
            // The shipped log holds what the same task logs when it runs locally.
            const shipped = await readFile(ti.log_path!, "utf8");
            const own = await readFile(here.tasks[taskId]!.log_path!, "utf8").catch(() => "");
            expect(lines(shipped, project.dir), `${dag}.${taskId}`).toEqual(lines(own, local.dir));
          }
        }
      } finally {
        await local.cleanup();
      }
    },
    90_000,
  );

  it("flow scheduler --executor queue, with two workers, runs what is due and stops on SIGTERM", async () => {
    setup = await queueSetup({});
    const { project, queueArgs } = setup;
    await cp(REPO_PIPELINES, join(project.dir, "pipelines"), { recursive: true });
    await setup.worker();
    await setup.worker();
    // user_events is @daily without catchup: its latest complete day is due now.
    const scheduler = project.spawn(["scheduler", ...queueArgs], { env: EXAMPLE_DEFAULTS });
    let out = "";
    scheduler.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    scheduler.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    await until(
      async () => {
        const status = await project.flow(["status", "user_events", "--json"]);
        return status.exitCode === 0 && JSON.parse(status.stdout).runs[0]?.state === "success";
      },
      60_000,
      () => `a successful user_events run; scheduler said:\n${out}`,
    );
    process.kill(scheduler.pid!, "SIGTERM");
    const ended = await scheduler;
    expect(ended.exitCode, out).toBe(0);
    const run = await storedRun(project, "user_events");
    for (const ti of Object.values(run.tasks)) expect(ti.hostname).toBeTypeOf("string");
  }, 90_000);

  it("flow backfill and flow retry with --executor queue run on the workers", async () => {
    setup = await queueSetup({
      "pipelines/daily.ts": `
import { bash, chain, dag } from "flow";
const extract = bash("extract", "echo extract $FLOW_DS");
// Fails until fixed.txt exists in the worker's folder.
const load = bash("load", "test -f fixed.txt && echo load $FLOW_DS");
chain(extract, load);
export default dag({ id: "daily", schedule: "@daily", start: "2026-01-01", tasks: [extract, load] });
`,
    });
    const { project, queueArgs } = setup;
    await setup.worker(["--concurrency", "2"]);
    const backfill = await project.flow([
      "backfill",
      "daily",
      "--start",
      "2026-01-01",
      "--end",
      "2026-01-03",
      ...queueArgs,
    ]);
    expect(backfill.exitCode).toBe(1);
    let runs = (await statusJson(project, "daily")).runs;
    expect(runs.map((run) => run.state)).toEqual(["failed", "failed", "failed"]);
    expect(runs.every((run) => run.tasks.extract?.state === "success")).toBe(true);

    await writeFile(join(project.dir, "fixed.txt"), "");
    const retry = await project.flow(["retry", "daily", runs[0]!.run_id, ...queueArgs]);
    expect(retry.exitCode, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/load {2}running on \S+ \(try 2\)/);
    runs = (await statusJson(project, "daily")).runs;
    expect(runs.filter((run) => run.state === "success")).toHaveLength(1);
  }, 60_000);

  it("sends a task with a queue option to the workers of that queue only", async () => {
    setup = await queueSetup({
      "pipelines/route.ts": `
import { bash, chain, dag } from "flow";
const prepare = bash("prepare", "echo prepare");
const train = bash("train", "echo train", { queue: "gpu" });
chain(prepare, train);
export default dag({ id: "route", tasks: [prepare, train] });
`,
      "pipelines/bad.ts": `
import { bash, dag } from "flow";
export default dag({ id: "bad", tasks: [bash("x", "true", { queue: "no spaces" })] });
`,
    });
    const plain = await setup.worker();
    const gpu = await setup.worker(["--queue", "gpu"]);
    const run = await setup.project.flow(["run", "route", ...setup.queueArgs]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    await until(() => /route\.train .* try 1: success/.test(gpu.output()), 5_000, gpu.output);
    expect(gpu.output()).not.toMatch(/route\.prepare/);
    expect(plain.output()).toMatch(/route\.prepare .* try 1: success/);
    expect(plain.output()).not.toMatch(/route\.train/);
    const validate = await setup.project.flow(["validate"]);
    expect(validate.exitCode).toBe(3);
    expect(validate.stdout + validate.stderr).toContain(
      'queue must be a name of letters, digits, _ . and - (a `flow worker --queue`), got "no spaces"',
    );
  }, 60_000);

  it("passes results between tasks on workers (ctx.upstream) and records them once", async () => {
    setup = await queueSetup({
      "pipelines/pass.ts": `
import { bash, chain, dag, fn } from "flow";
const produce = fn("produce", () => ({ rows: 3 }));
const consume = fn("consume", (ctx) => ({ doubled: (ctx.upstream.produce as { rows: number }).rows * 2 }));
const echo = bash("echo", "echo rows=$ROWS", { env: { ROWS: "3" } });
chain(produce, consume, echo);
export default dag({ id: "pass", tasks: [produce, consume, echo] });
`,
    });
    await setup.worker();
    const run = await setup.project.flow(["run", "pass", ...setup.queueArgs]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const stored = await storedRun(setup.project, "pass");
    expect(stored.tasks.consume?.result).toEqual({ doubled: 6 });
    expect(await readFile(stored.tasks.echo!.log_path!, "utf8")).toBe("rows=3\n");
    // Recorded, so the jobs and their log streams are gone from Redis.
    await until(
      async () => (await redisKeys(setup!, "flow:default:log:*")).length === 0,
      5_000,
      () => "log streams deleted",
    );
  }, 60_000);

  it("an externalTask on a worker (no state dir) fails as it always did, retries and all, even with a task that does not exist", async () => {
    setup = await queueSetup({
      "pipelines/wait.ts": `
import { dag, externalTask, fn } from "flow";
export default dag({ id: "wait", tasks: [
  fn("load", () => 1),
  externalTask("sensor", { dag: "wait", task: "lod", pokeInterval: "100ms", timeout: "5s", retries: 1, retryDelay: 0 }),
] });
`,
    });
    await setup.worker();
    const run = await setup.project.flow(["run", "wait", ...setup.queueArgs]);
    expect(run.exitCode).toBe(1);
    const { tasks } = await storedRun(setup.project, "wait");
    expect(tasks.sensor).toMatchObject({
      state: "failed",
      try_number: 2,
      reason: "Error: flow's state is not available to this task",
    });
  }, 60_000);

  it("a task's timeout is enforced on the worker, and flow's retries make a new try (a new job)", async () => {
    setup = await queueSetup({
      "pipelines/slow.ts": `
import { bash, dag } from "flow";
export default dag({ id: "slow", tasks: [bash("nap", "echo nap; sleep 30", { timeout: "1s", retries: 1, retryDelay: 0 })] });
`,
    });
    await setup.worker();
    const run = await setup.project.flow(["run", "slow", ...setup.queueArgs]);
    expect(run.exitCode).toBe(1);
    const { tasks } = await storedRun(setup.project, "slow");
    expect(tasks.nap).toMatchObject({
      state: "failed",
      try_number: 2,
      reason: "timed out after 1s",
    });
    expect(tasks.nap?.job_id).toMatch(/^slow\.nap\.t2-[0-9a-f]{24}$/);
  }, 60_000);

  it("says in one line that Redis cannot be reached, exits 5, and writes nothing", async () => {
    setup = await queueSetup({
      "pipelines/one.ts": `import { bash, dag } from "flow"; export default dag({ id: "one", tasks: [bash("a", "true")] });`,
    });
    const port = await closedPort();
    const before = await setup.project.snapshotState();
    const run = await setup.project.flow([
      "run",
      "one",
      "--executor",
      "queue",
      "--redis",
      `redis://127.0.0.1:${port}`,
    ]);
    expect(run.exitCode).toBe(5);
    expect(run.stderr.trim().split("\n")).toHaveLength(2);
    expect(run.stderr).toContain(`flow: cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(await setup.project.snapshotState()).toEqual(before);
    // A URL that is not one is a bad value (exit 2), not an unreachable Redis (exit 5).
    const bad = await setup.project.flow([
      "run",
      "one",
      "--executor",
      "queue",
      "--redis",
      "notaurl",
    ]);
    expect([bad.exitCode, bad.stderr.split("\n")[0]]).toEqual([2, 'flow: bad Redis URL "notaurl"']);
    expect(await setup.project.snapshotState()).toEqual(before);
  }, 30_000);

  it("fails a try no worker takes within --queued-timeout, naming the queue", async () => {
    setup = await queueSetup({
      "pipelines/one.ts": `import { bash, dag } from "flow"; export default dag({ id: "one", tasks: [bash("a", "true")] });`,
    });
    const run = await setup.project.flow([
      "run",
      "one",
      ...setup.queueArgs,
      "--queue",
      "nobody",
      "--queued-timeout",
      "1s",
    ]);
    expect(run.exitCode).toBe(1);
    const stored = await storedRun(setup.project, "one");
    expect(stored.tasks.a?.reason).toBe(
      "queued for 1s and no worker took it: is `flow worker --queue nobody` running against this Redis?",
    );
  }, 30_000);

  it("fails a try whose job is over the size limit, without retry, saying what to do", async () => {
    setup = await queueSetup({
      "pipelines/big.ts": `
import { chain, dag, fn } from "flow";
const big = fn("big", () => "x".repeat(300_000));
const use = fn("use", (ctx) => String(ctx.upstream.big).length);
chain(big, use);
export default dag({ id: "big", tasks: [big, use] });
`,
    });
    await setup.worker();
    const run = await setup.project.flow(["run", "big", ...setup.queueArgs], {
      env: { FLOW_QUEUE_JOB_LIMIT: "100000" },
    });
    expect(run.exitCode).toBe(1);
    const stored = await storedRun(setup.project, "big");
    expect(stored.tasks.big?.state).toBe("success");
    expect(stored.tasks.use?.state).toBe("failed");
    expect(stored.tasks.use?.reason).toMatch(
      /^the job for this try is 293\.\d kB, over the queue's limit of 97\.7 kB: .*FLOW_QUEUE_JOB_LIMIT raises the limit\)$/,
    );
  }, 60_000);

  it("fails the try on a worker whose pipeline file differs, naming both files", async () => {
    const source = (text: string): string =>
      `import { bash, dag } from "flow"; export default dag({ id: "one", tasks: [bash("a", "echo ${text}")] });`;
    setup = await queueSetup({ "pipelines/one.ts": source("driver") });
    const other = await makeProject({ "pipelines/one.ts": source("worker") });
    try {
      await setup.worker([], other);
      const run = await setup.project.flow(["run", "one", ...setup.queueArgs]);
      expect(run.exitCode).toBe(1);
      const reason = (await storedRun(setup.project, "one")).tasks.a?.reason ?? "";
      expect(reason).toContain(join(other.dir, "pipelines/one.ts"));
      expect(reason).toContain(join(setup.project.dir, "pipelines/one.ts"));
      expect(reason).toContain("deploy the same pipelines folder to every worker");
    } finally {
      await other.cleanup();
    }
  }, 60_000);
});

function lines(text: string, dir: string): string[] {
  // Timestamps, durations and the project's folder differ between two runs; the lines do not.
  return text
    .replaceAll(dir, "<dir>")
    .split("\n")
    .map((line) =>
      line.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g, "<t>").replace(/\d+(\.\d+)?\s?(ms|s)\b/g, "<d>"),
    );
}

async function redisKeys(queue: QueueSetup, pattern: string): Promise<string[]> {
  const { execa } = await import("execa");
  const out = await execa("redis-cli", [
    "-p",
    String(queue.redis.port),
    "--scan",
    "--pattern",
    pattern,
  ]);
  return out.stdout.split("\n").filter(Boolean);
}
