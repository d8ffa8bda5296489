import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { closedPort } from "../../e2e/helpers-servers.js";
import { pidWrittenTo } from "../../e2e/queue/queue-helpers.js";
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
  until,
  type RunningWorker,
} from "./helpers.js";

// Workers that die, stop or lose Redis: a try is re-delivered or handed back, never lost.

const PIPELINE = `
import { dag, bash, fn } from "flow";
export default dag({
  id: "etl",
  tasks: [
    bash("slow", "echo begin; sleep 4; echo end"),
    bash("long", "echo begin; echo $$ > long.pid; sleep 60 & wait"),
    fn("slowfn", async (ctx) => {
      ctx.log.info("begin");
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      return { pid: process.pid };
    }),
  ],
});
`;

let project: Project;
let redis: TestRedis;
let q: ReturnType<typeof openQueue>;
const workers: RunningWorker[] = [];

beforeEach(async () => {
  redis = await startRedis();
  project = await makeProject({ "pipelines/etl.ts": PIPELINE });
  q = openQueue(redis.url);
});

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.process.kill("SIGKILL");
    await worker.process;
  }
  await q.close();
  await redis.cleanup();
  await project.cleanup();
});

const SLOW = { file: "etl.ts", dagId: "etl", taskId: "slow", kind: "bash" } as const;

async function worker(args: string[] = []): Promise<RunningWorker> {
  const started = await startWorker(project, redis.url, ["--concurrency", "1", ...args]);
  workers.push(started);
  return started;
}

describe("flow worker, when things go wrong", () => {
  it("re-delivers the try of a worker killed with -9 to another worker, marked in the log", async () => {
    const a = await worker();
    const { jobId, data } = await jobFor(project, SLOW);
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    await a.waitFor(/etl\.slow \S+ try 1: started/);
    const b = await worker();
    const killedAt = Date.now();
    a.process.kill("SIGKILL");
    await b.waitFor(/etl\.slow \S+ try 1: started \(delivery 2\)/, 25_000);
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    const { state, result } = await resultOf(q.queue, jobId);
    expect(state).toBe("completed");
    expect(result).toMatchObject({ outcome: { status: "success" }, delivery: 2, pid: b.pid });
    const entries = await logEntries(q.redis, q.keys.log(jobId));
    expect(shippedText(entries, 1)).toBe("begin\n");
    expect(shippedText(entries, 2)).toMatch(
      new RegExp(
        `^flow: delivery 2 of try 1 on worker \\S+:${b.pid}: the previous delivery's worker was lost or handed the try back; the task starts over\\nbegin\\nend\\n$`,
      ),
    );
    expect(entries.filter((entry) => "end" in entry)).toEqual([
      { d: 2, end: Buffer.byteLength(shippedText(entries, 2)) },
    ]);
  }, 60_000);

  it("on SIGTERM hands a running try back after --grace, another worker completes it, and exits 0", async () => {
    const a = await worker(["--grace", "1"]);
    const { jobId, data } = await jobFor(project, SLOW);
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    await a.waitFor(/etl\.slow \S+ try 1: started/);
    const b = await worker();
    const stoppedAt = Date.now();
    a.signal("SIGTERM");
    const exited = await a.process;
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
    expect(exited.exitCode).toBe(0);
    expect(a.output()).toMatch(/etl\.slow \S+ try 1: stopped after \S+, handed back to the queue/);
    const { result } = await resultOf(q.queue, jobId);
    expect(result).toMatchObject({ outcome: { status: "success" }, delivery: 2, pid: b.pid });
    const entries = await logEntries(q.redis, q.keys.log(jobId));
    expect(shippedText(entries, 1)).toMatch(
      /^begin\n(Terminated\n)?\[\S+\] ERROR flow: handed back to the queue: the worker is stopping: flow stopped the task's processes\nflow: worker \S+ stopped before the try ended; the try goes back to the queue and starts over on another worker\n$/,
    );
    expect(shippedText(entries, 2)).toMatch(/^flow: delivery 2 of try 1 .*\nbegin\nend\n$/);
    // A clean stop removes the worker from the registry.
    expect(await q.redis.exists(q.keys.worker(...hostPid(a)))).toBe(0);
  }, 60_000);

  it("hands a running function task back too, stopping its process", async () => {
    const a = await worker(["--grace", "0.5"]);
    const { jobId, data } = await jobFor(project, { ...SLOW, taskId: "slowfn", kind: "function" });
    await q.add(jobId, data);
    const first = await startedOf(q.queue, jobId);
    const b = await worker();
    const stoppedAt = Date.now();
    a.signal("SIGTERM");
    expect((await a.process).exitCode).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(isPidAlive(first.pid)).toBe(false);
    const { result } = await resultOf(q.queue, jobId);
    expect(result).toMatchObject({ outcome: { status: "success" }, delivery: 2, pid: b.pid });
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toMatch(
      /^\[\S+\] INFO begin\n\[\S+\] ERROR flow: handed back to the queue: the worker is stopping: the try ended without waiting for its function\nflow: worker \S+ stopped before the try ended; /,
    );
  }, 60_000);

  it("hands running tries back at once on a second signal", async () => {
    const a = await worker(["--grace", "60"]);
    const { jobId, data } = await jobFor(project, SLOW);
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    a.signal("SIGINT");
    await a.waitFor(/stopping: taking no new tries; 1 running get 1m to finish/);
    const stoppedAt = Date.now();
    a.signal("SIGINT");
    expect((await a.process).exitCode).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
    expect(a.output()).toMatch(/handed back to the queue/);
    const job = await q.queue.getJob(jobId);
    expect(await job?.getState()).toBe("waiting");
  }, 30_000);

  it("lets a running try finish within the grace, then exits", async () => {
    const a = await worker(["--grace", "30"]);
    const { jobId, data } = await jobFor(project, SLOW);
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    a.signal("SIGTERM");
    expect((await a.process).exitCode).toBe(0);
    const { result } = await resultOf(q.queue, jobId, 1_000);
    expect(result).toMatchObject({ outcome: { status: "success" }, delivery: 1, pid: a.pid });
  }, 30_000);

  it("finishes a try across a restart of Redis (append-only file on), and takes the next job", async () => {
    await redis.cleanup();
    redis = await startRedis({ persist: true });
    await q.close();
    q = openQueue(redis.url);
    const a = await worker();
    const { jobId, data } = await jobFor(project, SLOW);
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    await redis.restart({ downMs: 1_000 });
    const { result } = await resultOf(q.queue, jobId, 30_000);
    expect(result).toMatchObject({ outcome: { status: "success" }, delivery: 1, pid: a.pid });
    expect(shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1)).toBe("begin\nend\n");
    const next = await jobFor(project, SLOW);
    await q.add(next.jobId, next.data);
    expect((await resultOf(q.queue, next.jobId, 30_000)).result?.outcome.status).toBe("success");
  }, 60_000);

  it("stops a try whose job Redis lost (restarted without its data), listing it until it has", async () => {
    const a = await worker();
    const { jobId, data } = await jobFor(project, { ...SLOW, taskId: "long" });
    await q.add(jobId, data);
    await startedOf(q.queue, jobId);
    const taskPid = await pidWrittenTo(project, "long.pid");
    await redis.restart({ downMs: 500 });
    // While the task runs, every entry the worker writes lists the try (a driver adds the job
    // again only once no worker does); it stops the try once BullMQ cannot renew its lock.
    const key = q.keys.worker(...hostPid(a));
    const unlisted: string[] = [];
    const stopped =
      /etl\.long \S+ try 1: stopped after \S+: its job is gone from Redis \(restarted without its data\?\); the driver queues the try again/;
    await until(
      async () => {
        const entry = await q.redis.get(key).catch(() => null);
        if (entry !== null && !entry.includes(jobId) && isPidAlive(taskPid)) unlisted.push(entry);
        return stopped.test(a.output());
      },
      20_000,
      () => `the worker to stop the try\n${a.output()}`,
    );
    expect(unlisted).toEqual([]);
    expect(isPidAlive(taskPid)).toBe(false);
    await until(
      async () => !((await q.redis.get(key)) ?? "").includes(jobId),
      5_000,
      () => "the try to leave the registry",
    );
    expect(await q.queue.getJob(jobId)).toBeUndefined();
    const shipped = shippedText(await logEntries(q.redis, q.keys.log(jobId)), 1);
    expect(shipped).toMatch(
      /\] ERROR flow: job lost: its job is gone from Redis .*: flow stopped the task's processes\nflow: worker \S+ stopped the try: its job is gone from Redis .*\n$/,
    );
    // It takes the next job as before.
    const next = await jobFor(project, SLOW);
    await q.add(next.jobId, next.data);
    expect((await resultOf(q.queue, next.jobId, 30_000)).result?.outcome.status).toBe("success");
  }, 60_000);

  it("exits promptly on SIGTERM when Redis is gone", async () => {
    const a = await worker();
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stoppedAt = Date.now();
    a.signal("SIGTERM");
    const exited = await a.process;
    expect(exited.exitCode, `${exited.signal} ${a.output()}`).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  }, 30_000);

  it("says in one line that Redis cannot be reached at the start, and exits 5", async () => {
    const port = await closedPort();
    const result = await project.flow(["worker", "--redis", `redis://127.0.0.1:${port}`]);
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      new RegExp(
        `^flow: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}( \\(.*\\))?\\nflow: hint: .*\\n?$`,
      ),
    );
    const listed = await project.flow(["workers", "--redis", `redis://127.0.0.1:${port}`]);
    expect(listed.exitCode).toBe(5);
  }, 30_000);
});

function hostPid(worker: RunningWorker): [string, number] {
  const match = / worker (\S+):(\d+) started/.exec(worker.output());
  return [match![1]!, Number(match![2])];
}

void until;
