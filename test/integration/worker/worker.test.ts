import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { startRedis, type TestRedis } from "../../e2e/redis-server.js";
import {
  jobFor,
  logEntries,
  openQueue,
  resultOf,
  shippedText,
  startedOf,
  startWorker,
  until,
  isPidAlive,
  type RunningWorker,
} from "./helpers.js";

// A real redis-server, the built binary as `flow worker`, jobs added with BullMQ as a driver adds them.

const PIPELINE = `
import { dag, bash, fn } from "flow";
export default dag({
  id: "etl",
  tasks: [
    bash("hello", "echo hello from bash; echo second line >&2"),
    bash("sleepy", "echo sleeping; echo $$ > sleepy.pids; sleep 60 & echo $! >> sleepy.pids; wait"),
    bash("fails", "echo about to fail; exit 3"),
    fn("compute", async (ctx) => {
      ctx.log.info("computing in", process.pid);
      return { pid: process.pid, upstream: ctx.upstream };
    }),
  ],
});
`;

let project: Project;
let redis: TestRedis;
let worker: RunningWorker;
let q: ReturnType<typeof openQueue>;

beforeAll(async () => {
  redis = await startRedis();
  project = await makeProject({ "pipelines/etl.ts": PIPELINE });
  worker = await startWorker(project, redis.url, ["--concurrency", "2"]);
  q = openQueue(redis.url);
});

afterAll(async () => {
  worker?.signal("SIGTERM");
  await worker?.process;
  await q?.close();
  await redis?.cleanup();
  await project?.cleanup();
});

describe("flow worker", () => {
  it("runs a bash task, reports its start and outcome, and ships its log with an end marker", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.add(jobId, data);
    const { state, result } = await resultOf(q.queue, jobId);
    expect(state).toBe("completed");
    expect(result).toMatchObject({
      outcome: { status: "success", exitCode: 0 },
      delivery: 1,
      pid: worker.pid,
    });
    const job = await q.queue.getJob(jobId);
    expect(job?.progress).toMatchObject({ delivery: 1 });
    const entries = await logEntries(q.redis, q.keys.log(jobId));
    const text = shippedText(entries, 1);
    expect(text).toContain("hello from bash\n");
    expect(text).toContain("second line\n");
    expect(entries.at(-1)).toEqual({ d: 1, end: Buffer.byteLength(text) });
    expect(result?.logBytes).toBe(Buffer.byteLength(text));
    expect(worker.output()).toMatch(/etl\.hello manual__\S+ try 1: success in /);
  });

  it("reports a failing task as an outcome (the job completes)", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "fails",
      kind: "bash",
    });
    await q.add(jobId, data);
    const { state, result } = await resultOf(q.queue, jobId);
    expect(state).toBe("completed");
    expect(result?.outcome).toMatchObject({
      status: "failed",
      error: "exit code 3",
      retryable: true,
    });
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toBe("about to fail\n");
  });

  it("runs a function task in a child process, with the upstream results of the job", async () => {
    const { jobId, data } = await jobFor(
      project,
      { file: "etl.ts", dagId: "etl", taskId: "compute", kind: "function" },
      { results: { hello: { rows: 3 } }, upstream: ["hello"] },
    );
    await q.add(jobId, data);
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome.status).toBe("success");
    const value = (result?.outcome as unknown as { result: { pid: number; upstream: unknown } })
      .result;
    expect(value.upstream).toEqual({ hello: { rows: 3 } });
    expect(value.pid).not.toBe(worker.pid);
    const started = await startedOf(q.queue, jobId);
    expect(started.pid).toBe(value.pid);
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toMatch(
      new RegExp(`INFO computing in ${value.pid}\\n$`),
    );
  });

  it("fails a try whose pipeline file differs on the worker, naming both files", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.add(jobId, { ...data, hash: "ab".repeat(32) });
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toMatchObject({ status: "failed", retryable: true });
    const error = (result?.outcome as { error: string }).error;
    expect(error).toMatch(
      /^pipeline file differs on worker \S+: \S+\/pipelines\/etl\.ts \(sha256 [0-9a-f]{12}\) is not the file the run was made from, driver-host:\S+etl\.ts \(sha256 abababababab\); deploy the same pipelines folder to every worker$/,
    );
    const entries = await logEntries(q.redis, q.keys.log(jobId));
    expect(shippedText(entries, 1)).toBe(`flow: ${error}\n`);
    expect(entries.at(-1)).toMatchObject({ end: Buffer.byteLength(`flow: ${error}\n`) });
  });

  it("says a pipeline file is missing on the worker", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.add(jobId, { ...data, pipeline: "gone.ts" });
    const { result } = await resultOf(q.queue, jobId);
    expect((result?.outcome as { error: string }).error).toMatch(
      /^pipeline file missing on worker /,
    );
  });

  it("refuses a job of another protocol version without retry", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.add(jobId, { ...data, v: 99 as 1 });
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toMatchObject({ status: "failed", retryable: false });
    expect((result?.outcome as { error: string }).error).toContain("protocol version 99");
  });

  it("counts the deliveries of a job added again (Redis lost the first) on from its starts before", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.add(jobId, { ...data, startsBefore: 1 });
    const { result } = await resultOf(q.queue, jobId);
    expect(result).toMatchObject({ outcome: { status: "success" }, delivery: 2 });
    expect((await q.queue.getJob(jobId))?.progress).toMatchObject({ delivery: 2 });
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 2)).toMatch(
      /^flow: delivery 2 of try 1 on worker \S+: the previous delivery's job was lost from Redis and queued again; the task starts over\nhello from bash\n/,
    );
  });

  it("refuses a third start of a try, without running it (retryable)", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.add(jobId, { ...data, startsBefore: 2 });
    const { result } = await resultOf(q.queue, jobId);
    const error =
      "delivery 3 of try 1 refused: the try has started 2 times already, before and after its job was lost from Redis, and a try starts at most 2 times";
    expect(result).toMatchObject({ outcome: { status: "failed", error, retryable: true } });
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 3)).toBe(`flow: ${error}\n`);
    expect(worker.output()).toContain(
      `etl.hello manual__2026-01-01T00:00:00+00:00 try 1: refused: ${error}`,
    );
  });

  it("stops a try and its process tree when the driver publishes a cancel", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "sleepy",
      kind: "bash",
    });
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    let pids: number[] = [];
    await until(
      async () => {
        pids = (await project.read("sleepy.pids").catch(() => ""))
          .split("\n")
          .filter(Boolean)
          .map(Number);
        return pids.length === 2;
      },
      10_000,
      () => "the task's pids",
    );
    expect(pids.every(isPidAlive)).toBe(true);
    // The registry names the running try.
    const listed = await project.flow(["workers", "--redis", redis.url, "--json"]);
    const running = (JSON.parse(listed.stdout) as { workers: { running: { job_id: string }[] }[] })
      .workers[0]?.running;
    expect(running?.map((item) => item.job_id)).toContain(jobId);
    const table = await project.flow(["workers", "--redis", redis.url]);
    expect(table.stdout).toContain("etl.sleepy manual__2026-01-01T00:00:00+00:00 try 1");
    await q.redis.publish(q.keys.cancel, jobId);
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toEqual({ status: "failed", error: "cancelled", retryable: true });
    // The job completes only once the process tree is gone.
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toMatch(/^sleeping\n/);
  });

  it("does not start a try whose cancelled key is set", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "etl.ts",
      dagId: "etl",
      taskId: "hello",
      kind: "bash",
    });
    await q.redis.set(q.keys.cancelled(jobId), "1", "EX", 60);
    await q.add(jobId, data);
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toEqual({ status: "failed", error: "cancelled", retryable: true });
    expect(await logEntries(q.redis, q.keys.log(jobId))).toEqual([{ d: 1, end: 0 }]);
  });

  it("is listed by flow workers, as a table and as JSON", async () => {
    const table = await project.flow(["workers", "--redis", redis.url]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toContain(`:${worker.pid}`);
    expect(table.stdout).toMatch(/default\s*│\s*2\s*│/);
    const json = await project.flow(["workers", "--redis", redis.url, "--json"]);
    const parsed = JSON.parse(json.stdout) as {
      workers: { pid: number; concurrency: number; queue: string }[];
    };
    expect(parsed.workers).toEqual([
      expect.objectContaining({ pid: worker.pid, concurrency: 2, queue: "default" }),
    ]);
    const none = await project.flow(["workers", "--redis", redis.url, "--queue", "other"]);
    expect(none.stdout).toMatch(
      /^no live workers on queue "other" at redis:\/\/127\.0\.0\.1:\d+\nstart one with: flow worker/,
    );
  });
});
