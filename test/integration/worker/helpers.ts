import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { ResultPromise } from "execa";
import type { RunContext } from "../../../src/core/context.js";
import { jobIdFor } from "../../../src/queue/job-id.js";
import {
  KEY_PREFIX,
  PROTOCOL_VERSION,
  queueKeys,
  type QueueJobData,
  type QueueJobResult,
  type QueueJobStarted,
} from "../../../src/queue/protocol.js";
import type { Project } from "../../e2e/harness.js";

/** A running `flow worker` and what it printed so far. */
export interface RunningWorker {
  readonly process: ResultPromise;
  readonly pid: number;
  output(): string;
  /** Sends a signal (not execa's kill, which adds a SIGKILL 5 s later). */
  signal(name: NodeJS.Signals): void;
  /** Resolves when its stdout holds a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `flow worker` in the project against `redisUrl` and waits for its start line. */
export async function startWorker(
  project: Project,
  redisUrl: string,
  args: string[] = [],
): Promise<RunningWorker> {
  const child = project.spawn(["worker", "--redis", redisUrl, ...args]);
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const worker: RunningWorker = {
    process: child,
    pid: child.pid!,
    output: () => text,
    signal: (name) => void process.kill(child.pid!, name),
    waitFor: (pattern, timeoutMs = 20_000) =>
      until(
        () => pattern.test(text),
        timeoutMs,
        () => `worker output: ${pattern}\n${text}`,
      ),
  };
  await worker.waitFor(/ started: queue /);
  return worker;
}

/** Polls `check` every 50 ms until it holds. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let counter = 0;

/** The data of a job for one try of `dagId.taskId` in the project's `pipelines/<file>`. */
export async function jobFor(
  project: Project,
  task: { file: string; dagId: string; taskId: string; kind: "bash" | "function" },
  extra: Partial<QueueJobData> = {},
): Promise<{ jobId: string; data: QueueJobData }> {
  const path = join(project.dir, "pipelines", task.file);
  const hash = createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
  const runId = `manual__2026-01-01T00:00:00+00:00`;
  const tryNumber = extra.tryNumber ?? 1;
  const context: RunContext = {
    dagId: task.dagId,
    runId,
    runType: "manual",
    taskId: task.taskId,
    tryNumber,
    maxTries: 1,
    logicalDate: "2026-01-01T00:00:00.000Z",
    ds: "2026-01-01",
    dsNodash: "20260101",
    ts: "2026-01-01T00:00:00+00:00",
    tsNodash: "20260101T000000",
    dataIntervalStart: "2026-01-01T00:00:00.000Z",
    dataIntervalEnd: "2026-01-01T00:00:00.000Z",
    prevDataIntervalStart: null,
    prevDataIntervalEnd: null,
    nextDataIntervalStart: null,
    nextDataIntervalEnd: null,
    params: {},
  };
  const data: QueueJobData = {
    v: PROTOCOL_VERSION,
    kind: task.kind,
    pipeline: task.file,
    hash,
    dagId: task.dagId,
    taskId: task.taskId,
    runId,
    tryNumber,
    context,
    results: {},
    upstream: [],
    timeoutMs: null,
    origin: { host: "driver-host", pid: 1, file: path },
    ...extra,
  };
  const jobId = jobIdFor({
    stateDir: project.stateDir,
    dagId: task.dagId,
    runId,
    incarnation: `i${++counter}-${Date.now()}`,
    taskId: task.taskId,
    tryNumber,
  });
  return { jobId, data };
}

/** A BullMQ queue as the driver opens it, and a plain connection for the flow keys. */
export function openQueue(redisUrl: string, name = "default") {
  const queue = new Queue<QueueJobData, QueueJobResult>(name, {
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    prefix: KEY_PREFIX,
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // A test that stops Redis sees connection errors here: they are expected.
  redis.on("error", () => undefined);
  queue.on("error", () => undefined);
  return {
    queue,
    redis,
    keys: queueKeys(name),
    add: (jobId: string, data: QueueJobData) =>
      queue.add("try", data, { jobId, attempts: 1, removeOnComplete: false }),
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Waits until the job has ended; its return value (a completed job) or failure reason. */
export async function resultOf(
  queue: Queue<QueueJobData, QueueJobResult>,
  jobId: string,
  timeoutMs = 30_000,
): Promise<{ state: string; result?: QueueJobResult; reason?: string }> {
  let job: Job<QueueJobData, QueueJobResult> | undefined;
  let state = "";
  await until(
    async () => {
      job = await queue.getJob(jobId);
      state = job ? await job.getState() : "missing";
      return state === "completed" || state === "failed";
    },
    timeoutMs,
    () => `job ${jobId} to end (state ${state})`,
  );
  return { state, result: job!.returnvalue, reason: job!.failedReason };
}

/** The job's progress once a worker has started its try. */
export async function startedOf(
  queue: Queue<QueueJobData, QueueJobResult>,
  jobId: string,
  timeoutMs = 20_000,
): Promise<QueueJobStarted> {
  let progress: unknown;
  await until(
    async () => {
      progress = (await queue.getJob(jobId))?.progress;
      return typeof progress === "object" && progress !== null;
    },
    timeoutMs,
    () => `job ${jobId} to start`,
  );
  return progress as QueueJobStarted;
}

/** A log stream entry: a chunk `{d, o, b}` or the end marker `{d, end}`. */
export type LogEntry = { d: number; o: number; b: Buffer } | { d: number; end: number };

/** Every entry of the job's log stream, in order. */
export async function logEntries(redis: Redis, key: string): Promise<LogEntry[]> {
  const raw = await redis.xrangeBuffer(key, "-", "+");
  return raw.map(([, fields]) => {
    const map = new Map<string, Buffer>();
    for (let i = 0; i < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
    const d = Number(map.get("d")!.toString());
    const end = map.get("end");
    if (end !== undefined) return { d, end: Number(end.toString()) };
    return { d, o: Number(map.get("o")!.toString()), b: map.get("b")! };
  });
}

/** The bytes a delivery shipped, joined in offset order. */
export function shippedText(entries: readonly LogEntry[], delivery: number): string {
  return Buffer.concat(
    entries
      .filter(
        (entry): entry is { d: number; o: number; b: Buffer } =>
          "b" in entry && entry.d === delivery,
      )
      .sort((a, b) => a.o - b.o)
      .map((entry) => entry.b),
  ).toString();
}

/** The process lives and is not a zombie. */
export function isPidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
