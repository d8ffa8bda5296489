import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { startRedis, type TestRedis } from "../../e2e/redis-server.js";
import {
  isPidAlive,
  jobFor,
  logEntries,
  openQueue,
  resultOf,
  shippedText,
  startedOf,
  startWorker,
  type RunningWorker,
} from "./helpers.js";

// Function tasks run in the worker's pool of child processes: a busy one cannot stall the worker,
// one that overruns or is cancelled takes its child with it, and one that kills its child fails.

const PIPELINE = `
import { dag, fn } from "flow";
export default dag({
  id: "fns",
  tasks: [
    fn("busy", () => {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {}
    }),
    fn("waits", async (ctx) => {
      ctx.log.info("waiting in", process.pid);
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    }),
    fn("exits", () => {
      process.exit(7);
    }),
    fn("quick", () => ({ pid: process.pid })),
  ],
});
`;

let project: Project;
let redis: TestRedis;
let worker: RunningWorker;
let q: ReturnType<typeof openQueue>;

beforeAll(async () => {
  redis = await startRedis();
  project = await makeProject({ "pipelines/fns.ts": PIPELINE });
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

const task = (taskId: string) =>
  ({ file: "fns.ts", dagId: "fns", taskId, kind: "function" }) as const;

describe("flow worker's function-task processes", () => {
  it("time out a task that keeps its process busy, kill that process, and keep the job's lock", async () => {
    const { jobId, data } = await jobFor(project, task("busy"), { timeoutMs: 12_000 });
    await q.add(jobId, data);
    const started = await startedOf(q.queue, jobId);
    const { state, result } = await resultOf(q.queue, jobId, 30_000);
    expect(state).toBe("completed");
    expect(result?.outcome).toEqual({
      status: "failed",
      error: "timed out after 12s",
      timedOut: true,
      retryable: true,
    });
    // 12 s is past the 10 s lock: the worker's own event loop kept renewing it (no re-delivery).
    expect(result?.delivery).toBe(1);
    expect(isPidAlive(started.pid)).toBe(false);
    // The pool starts a new process for the next task.
    const next = await jobFor(project, task("quick"));
    await q.add(next.jobId, next.data);
    const quick = await resultOf(q.queue, next.jobId);
    const pid = (quick.result?.outcome as unknown as { result: { pid: number } }).result.pid;
    expect(pid).not.toBe(started.pid);
  }, 45_000);

  it("stop a cancelled task with its process", async () => {
    const { jobId, data } = await jobFor(project, task("waits"));
    await q.add(jobId, data);
    const started = await startedOf(q.queue, jobId);
    await q.redis.publish(q.keys.cancel, jobId);
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toEqual({ status: "failed", error: "cancelled", retryable: true });
    expect(isPidAlive(started.pid)).toBe(false);
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toMatch(
      new RegExp(
        `INFO waiting in ${started.pid}\\n.* ERROR flow: cancelled: the try ended without waiting for its function\\n$`,
      ),
    );
  });

  it("end the log of a task that overruns, and answers its signal, with its timeout, not 'cancelled'", async () => {
    const { jobId, data } = await jobFor(project, task("waits"), { timeoutMs: 1_000 });
    await q.add(jobId, data);
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toMatchObject({ status: "failed", error: "timed out after 1s" });
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toMatch(
      /\] ERROR flow: timed out after 1s: the try ended without waiting for its function\n$/,
    );
  });

  it("fail the try of a task whose process dies, saying so", async () => {
    const { jobId, data } = await jobFor(project, task("exits"));
    await q.add(jobId, data);
    const { result } = await resultOf(q.queue, jobId);
    expect(result?.outcome).toMatchObject({ status: "failed", retryable: true });
    expect((result?.outcome as { error: string }).error).toMatch(
      /^the function task's process \(flow worker-child, pid \d+\) died with exit code 7 during the try$/,
    );
  });
});
