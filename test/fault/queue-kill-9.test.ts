import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { ResultPromise } from "execa";
import { afterAll, describe, it, type ExpectStatic } from "vitest";
import { queueSetup, type QueueSetup, type RunningWorker } from "../e2e/queue/queue-helpers.js";
import {
  FAULT_SEED,
  Random,
  isAlive,
  readRawState,
  replayHint,
  sleep,
  waitFor,
  type RawRun,
  type RawTask,
} from "./fault-harness.js";

// kill -9 of `flow worker` and of the driver (`flow run --executor queue`), each aimed at a
// point of a try's life that the test first sees the killed process reach: a worker's output
// line, a marker file the task writes, the driver's log file growing, the job's state in Redis.
// Every kill asserts that its target is alive just before it lands, and names where it landed
// (still at that point, or past it): the tally is printed after the file.
//
// Worker kills (the try is delivered again to a second worker, ~10-15 s later):
//   took     - the worker printed "started" for the try, its task has not started yet
//   mid      - the task is between two halves of its output
//   shipping - a chatty task is printing and its log is arriving in the driver's log file
//   ended    - the task's process has ended, the worker is still shipping its log: no outcome yet
//   function - a function task (in the worker's pool child) mid-task
// Driver kills (a restarted `flow run --run <id> --executor queue` adopts the tries):
//   queued   - one try runs on a worker of concurrency 1, the other waits in the queue
//   shipping - the driver is appending a chatty task's log
//   recorded - the job has completed in Redis, the driver has not recorded the result yet
//
// Then, for every scenario: the run ends `success`; every task has one recorded result (one
// success line in the drivers' output, and a result recorded before a driver kill is not
// recorded again) at try 1 (retries are 0: a re-delivery is the same try); a task starts once
// per delivery that reached it, and never again after a driver is restarted; every log is the
// task's complete output exactly once (after a re-delivery: the first delivery's bytes, a
// prefix of the output, then the delivery header, then the whole output); the killed worker's
// task processes are gone; Redis holds no job, log stream or key of a recorded try.

const DAG = "q";
const DATE = "2026-05-01";
const RUN_ID = `manual__${DATE}T00:00:00+00:00`;
const STALE_MS = 2000;
const ENV = { FLOW_LOCK_STALE_MS: String(STALE_MS) };

const tally = new Map<string, number>();
const note = (where: string): void => void tally.set(where, (tally.get(where) ?? 0) + 1);
afterAll(() => {
  const landed = [...tally].map(([where, n]) => `${n} ${where}`).join("; ");
  console.log(`fault queue kill-9: ${landed}; seed ${FAULT_SEED}`);
});

// --- the pieces every scenario uses ------------------------------------------------------

/** A project with its own redis-server, a plain Redis client to watch jobs, and the drivers. */
interface Scene {
  readonly queue: QueueSetup;
  readonly redis: Redis;
  readonly rng: Random;
  readonly driverOutput: string[];
  readonly events: string[];
  readonly dir: string;
  /** Killed workers: their local log folders are removed with the scene. */
  readonly killed: number[];
  driver(args?: string[]): ResultPromise;
  cleanup(): Promise<void>;
}

async function makeScene(name: string, pipeline: string): Promise<Scene> {
  const queue = await queueSetup({ [`pipelines/${DAG}.ts`]: pipeline });
  const redis = new Redis(queue.redis.url, { maxRetriesPerRequest: null });
  redis.on("error", () => undefined);
  const scene: Scene = {
    queue,
    redis,
    rng: new Random(FAULT_SEED, `queue kill-9 ${name}`),
    driverOutput: [],
    events: [],
    dir: queue.project.dir,
    killed: [],
    driver(args = ["--date", DATE]) {
      return queue.project.spawn(["run", DAG, ...args, ...queue.queueArgs], { env: ENV });
    },
    async cleanup() {
      redis.disconnect();
      await queue.cleanup();
      // A worker killed with -9 leaves its local log folder behind.
      for (const pid of scene.killed) {
        for (const dir of readdirSync(tmpdir()).filter((d) => d.startsWith(`flow-worker-${pid}-`)))
          rmSync(join(tmpdir(), dir), { recursive: true, force: true });
      }
    },
  };
  return scene;
}

/** Kills `pid` with SIGKILL after checking it is alive; `where` names the point it was aimed at. */
function kill9(scene: Scene, expect: ExpectStatic, pid: number, what: string, where: string): void {
  expect(isAlive(pid), `${what} had already ended when the kill was due (${where})`).toBe(true);
  process.kill(pid, "SIGKILL");
  scene.events.push(`kill -9 of ${what} (pid ${pid}): ${where}`);
  scene.killed.push(pid);
  note(where);
}

/** The lines `<try> <pid>` a task appends to starts-<task>.txt when its process starts. */
function starts(scene: Scene, task: string): { tryNumber: number; pid: number }[] {
  let text = "";
  try {
    text = readFileSync(join(scene.dir, `starts-${task}.txt`), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [tryNumber, pid] = line.split(" ").map(Number);
      return { tryNumber: tryNumber!, pid: pid! };
    });
}

/** The bash that records a start: the try number as the task sees it, and its shell's pid. */
const RECORD_START = (task: string): string => `echo "$FLOW_TRY_NUMBER $$" >> starts-${task}.txt`;

const logPath = (scene: Scene, task: string): string =>
  join(scene.queue.project.stateDir, "logs", DAG, RUN_ID, `${task}.1.log`);

const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** The run as its state files say, and one of its tasks. */
function runState(scene: Scene): RawRun | undefined {
  return readRawState(scene.queue.project.stateDir).runs.get(`${DAG}/${RUN_ID}`);
}
const taskState = (scene: Scene, task: string): RawTask | undefined => runState(scene)?.tasks[task];

/** The job's hash in BullMQ (`flow:<queue>:<id>`): finishedOn is set once it completed or failed. */
async function jobFinished(scene: Scene, jobId: string): Promise<boolean> {
  return (await scene.redis.hget(`flow:default:${jobId}`, "finishedOn")) !== null;
}

/** Waits for a driver to end; keeps its output. */
async function driverEnded(
  scene: Scene,
  driver: ResultPromise,
): Promise<{ exitCode: number; signal?: string }> {
  const result = await driver;
  scene.driverOutput.push(`${String(result.stdout)}\n${String(result.stderr)}`);
  return { exitCode: result.exitCode ?? -1, signal: result.signal };
}

/**
 * Restarts the killed driver on the run once its lock is stale (waits more while it is not):
 * `flow run --run <id> --executor queue`.
 */
async function restartDriver(scene: Scene, expect: ExpectStatic): Promise<void> {
  await sleep(STALE_MS + 300);
  for (let attempt = 1; ; attempt++) {
    const result = await driverEnded(scene, scene.driver(["--run", RUN_ID]));
    scene.events.push(`flow run --run ${RUN_ID} --executor queue -> exit ${result.exitCode}`);
    const locked =
      result.exitCode === 4 && /another flow process|locked/.test(scene.driverOutput.at(-1)!);
    if (locked && attempt < 10) {
      await sleep(1000);
      continue;
    }
    expect(result.exitCode, scene.driverOutput.at(-1)).toBe(0);
    return;
  }
}

/** Every Redis key of a recorded try still there: its job, log stream, log base, cancel flag. */
async function keysLeft(scene: Scene, jobIds: readonly string[]): Promise<string[]> {
  const patterns = ["flow:*:log:*", "flow:*:logbase:*", "flow:*:cancelled:*"];
  patterns.push(...jobIds.map((id) => `flow:*${id}*`));
  const found: string[] = [];
  for (const pattern of patterns) {
    let cursor = "0";
    do {
      const [next, keys] = await scene.redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== "0");
  }
  for (const id of jobIds) {
    for (const set of ["completed", "failed"]) {
      if ((await scene.redis.zscore(`flow:default:${set}`, id)) !== null)
        found.push(`${id} in flow:default:${set}`);
    }
    for (const list of ["active", "wait", "paused"]) {
      if ((await scene.redis.lpos(`flow:default:${list}`, id)) !== null)
        found.push(`${id} in flow:default:${list}`);
    }
  }
  return [...new Set(found)];
}

/** Where `a` and `b` first differ, for a message that does not print megabytes. */
function firstDifference(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  const around = (x: Buffer): string =>
    JSON.stringify(x.subarray(Math.max(0, i - 40), i + 40).toString());
  return `lengths ${a.length} and ${b.length}, first difference at byte ${i}: ${around(a)} vs ${around(b)}`;
}

const HEADER = /flow: delivery (\d+) of try 1 on worker [^\n]*\n/g;

/**
 * The checks of a try's log: without a re-delivery, the task's output exactly; after one, what
 * the first delivery shipped (a prefix of the output), the delivery header, then the whole output.
 */
function checkLog(
  expect: ExpectStatic,
  what: string,
  log: Buffer,
  expected: Buffer,
  deliveries: number,
  normalise: (text: Buffer) => Buffer = (text) => text,
): void {
  const text = log.toString("latin1");
  const headers = [...text.matchAll(HEADER)];
  expect(
    headers.map((match) => Number(match[1])),
    `${what}: the delivery headers in the log`,
  ).toEqual(deliveries > 1 ? [deliveries] : []);
  const header = headers.at(-1);
  const start = header ? header.index + header[0].length : 0;
  if (header && process.env.FAULT_VERBOSE === "1") {
    const atLineStart = header.index === 0 || text[header.index - 1] === "\n"; // always, now
    console.log(
      `${what}: ${header.index} bytes of delivery 1, then the header (${atLineStart ? "at a line start" : "mid-line"}), then ${log.length - start} bytes`,
    );
  }
  const last = normalise(log.subarray(start));
  expect(
    last.equals(expected),
    `${what}: the last delivery's output: ${firstDifference(last, expected)}`,
  ).toBe(true);
  if (header) {
    // A first delivery that stopped mid-line gets a newline from the driver, so that the header
    // starts a line of its own: it is not part of the output.
    const cut = log.subarray(0, header.index);
    const before = expected.subarray(0, cut.length - 1);
    const addedNewline =
      cut.length > 0 &&
      cut[cut.length - 1] === 0x0a &&
      cut.subarray(0, -1).equals(before) &&
      expected[cut.length - 1] !== 0x0a;
    const first = normalise(addedNewline ? cut.subarray(0, -1) : cut);
    const prefix = expected.subarray(0, first.length);
    expect(
      first.equals(prefix),
      `${what}: the first delivery's bytes are not a prefix of the output: ${firstDifference(first, prefix)}`,
    ).toBe(true);
  }
}

/** The lines a bash `seq -f FORMAT FROM TO` prints (integers only). */
const seqLines = (format: (i: number) => string, from: number, to: number): string => {
  const parts: string[] = [];
  for (let i = from; i <= to; i++) parts.push(`${format(i)}\n`);
  return parts.join("");
};

/**
 * The end of every scenario: the run succeeded, one recorded result per task at try 1, each
 * task started the given number of times (all of them at try 1), the logs, and Redis emptied.
 */
async function checkEnd(
  scene: Scene,
  expect: ExpectStatic,
  tasks: Record<
    string,
    {
      starts: number;
      log: Buffer;
      deliveries: number;
      normalise?: (text: Buffer) => Buffer;
      /** Lines "<task>  success in" the drivers printed: 1, or 0 for a result recorded by a driver killed right after. */
      printed?: number;
    }
  >,
): Promise<void> {
  const context = `${replayHint()}\n${scene.events.join("\n")}`;
  const run = runState(scene);
  expect(run?.state, context).toBe("success");
  const output = scene.driverOutput.join("\n");
  for (const [task, want] of Object.entries(tasks)) {
    expect(run!.tasks[task], `${task}\n${context}`).toMatchObject({
      state: "success",
      try_number: 1,
    });
    const successLines = output.match(new RegExp(`^\\S+  ${task}  success\\b`, "gm")) ?? [];
    expect(
      successLines.length,
      `${task}: success lines in the drivers' output\n${context}\n${output}`,
    ).toBe(want.printed ?? 1);
    const started = starts(scene, task);
    expect(
      started.map((s) => s.tryNumber),
      `${task}: starts (try numbers)\n${context}`,
    ).toEqual(Array.from({ length: want.starts }, () => 1));
    checkLog(
      expect,
      task,
      readFileSync(logPath(scene, task)),
      want.log,
      want.deliveries,
      want.normalise,
    );
  }
  const jobIds = Object.values(run!.tasks).map((t) => t.job_id!);
  expect(jobIds.every(Boolean), "every try has its job id").toBe(true);
  expect(await keysLeft(scene, jobIds), `Redis keys of recorded tries\n${context}`).toEqual([]);
}

/** A worker's task processes (pids from the starts file) are gone within a few seconds. */
async function expectGone(expect: ExpectStatic, pids: number[], what: string): Promise<void> {
  const deadline = Date.now() + 8_000;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter(isAlive);
  }
  expect(alive, `${what}: processes still alive after the worker's kill -9`).toEqual([]);
}

// --- worker kills ---------------------------------------------------------------------------

/**
 * Starts worker A (concurrency 1) and the driver, waits until `aim` says A is at the point the
 * scenario targets, kills A, starts worker B to take the re-delivered try, and waits for the
 * driver. Returns what `aim` saw.
 */
async function killWorkerScenario(
  scene: Scene,
  expect: ExpectStatic,
  aim: (worker: RunningWorker) => Promise<string>,
): Promise<{ where: string; killedTaskPids: number[] }> {
  const a = await scene.queue.worker(["--concurrency", "1"]);
  const driver = scene.driver();
  const where = await aim(a);
  const killedTaskPids = starts(scene, "t").map((s) => s.pid);
  // The job is in Redis while A holds it: what keysLeft looks for at the end exists now.
  const jobId = taskState(scene, "t")?.job_id;
  expect(jobId && (await keysLeft(scene, [jobId])), "t's job in Redis").toContain(
    `flow:default:${jobId}`,
  );
  kill9(scene, expect, a.pid, "worker A", where);
  const killed = await a.process;
  expect(killed.signal, "worker A ended by the kill").toBe("SIGKILL");
  await scene.queue.worker(["--concurrency", "1"]);
  const result = await driverEnded(scene, driver);
  expect(result.exitCode, scene.driverOutput.at(-1)).toBe(0);
  return { where, killedTaskPids };
}

const AFTER = `const after = bash("after", '${RECORD_START("after")}; echo after');`;
/** What checkEnd expects of `after`: one start, one delivery, its one line. */
const AFTER_ONCE = { starts: 1, log: Buffer.from("after\n"), deliveries: 1 };

/** A pipeline of task `t` (defined by `defineT`, after the imports `head`), then `after`. */
const tThenAfter = (
  defineT: string,
  head = 'import { bash, chain, dag } from "flow";',
  after = AFTER,
): string => `
${head}
${defineT}
${after}
chain(t, after);
export default dag({ id: "${DAG}", tasks: [t, after] });
`;

/** A chatty task's command: `bursts` bursts of 10,000 lines 0.1 s apart, then done.marker. */
const burstsCommand = (bursts: number): string =>
  `for i in $(seq 1 ${bursts}); do seq -f "burst $i line %g" 1 10000; sleep 0.1; done; touch done.marker`;
/** What burstsCommand prints. */
const burstsOutput = (bursts: number): Buffer => {
  let output = "";
  for (let burst = 1; burst <= bursts; burst++)
    output += seqLines((i) => `burst ${burst} line ${i}`, 1, 10000);
  return Buffer.from(output);
};

/** Waits until the task has written mid.marker, then a random while more (0-800 ms). */
async function atMidMarker(scene: Scene): Promise<void> {
  const marker = join(scene.dir, "mid.marker");
  await waitFor("the task's mid marker", () => existsSync(marker) || undefined, 30_000, 10);
  await sleep(scene.rng.int(0, 800));
}

/** Runs `body` in a new scene, which is cleaned up whatever happens. */
async function inScene(
  name: string,
  pipeline: string,
  body: (scene: Scene) => Promise<void>,
): Promise<void> {
  const scene = await makeScene(name, pipeline);
  try {
    await body(scene);
  } finally {
    await scene.cleanup();
  }
}

describe("kill -9 of a flow worker, aimed at a point of a try's life", () => {
  it.concurrent(
    "just after it took the job, before the task started",
    { timeout: 90_000 },
    async ({ expect }) => {
      // Only the worker waits while it loads this file: the window between taking the job (its
      // "started" line) and the task's process starting. Loaded again by worker B: same wait.
      await inScene(
        "took",
        tThenAfter(
          `if (process.argv.includes("worker")) await new Promise((resolve) => setTimeout(resolve, 1500));
const t = bash("t", '${RECORD_START("t")}; seq -f "took %g" 1 20000');`,
        ),
        async (scene) => {
          const { where } = await killWorkerScenario(scene, expect, async (a) => {
            await a.waitFor(new RegExp(`${DAG}\\.t \\S+ try 1: started`), 30_000);
            return starts(scene, "t").length === 0
              ? "worker: took the job, task not started yet"
              : "worker: took the job, task already started";
          });
          const output = Buffer.from(seqLines((i) => `took ${i}`, 1, 20000));
          await checkEnd(scene, expect, {
            t: { starts: where.endsWith("not started yet") ? 1 : 2, log: output, deliveries: 2 },
            after: AFTER_ONCE,
          });
        },
      );
    },
  );

  it.concurrent(
    "mid-task, between the two halves of its output",
    { timeout: 90_000 },
    async ({ expect }) => {
      await inScene(
        "mid",
        tThenAfter(
          `const t = bash("t", '${RECORD_START("t")}; echo begin; seq 1 1000; touch mid.marker; sleep 2; seq 1001 2000; echo end');`,
        ),
        async (scene) => {
          const { killedTaskPids } = await killWorkerScenario(scene, expect, async () => {
            await atMidMarker(scene);
            const task = starts(scene, "t")[0]!;
            return isAlive(task.pid)
              ? "worker: mid-task"
              : "worker: mid-task aimed, task already ended";
          });
          await expectGone(expect, killedTaskPids, "the first delivery's task");
          const output = Buffer.from(`begin\n${seqLines(String, 1, 2000)}end\n`);
          await checkEnd(scene, expect, {
            t: { starts: 2, log: output, deliveries: 2 },
            after: AFTER_ONCE,
          });
        },
      );
    },
  );

  it.concurrent(
    "while it ships the log of a chatty task",
    { timeout: 90_000 },
    async ({ expect }) => {
      // ~5.7 MB in 30 bursts over ~3 s.
      await inScene(
        "shipping",
        tThenAfter(`const t = bash("t", '${RECORD_START("t")}; ${burstsCommand(30)}');`),
        async (scene) => {
          const threshold = scene.rng.int(500_000, 3_000_000);
          const { killedTaskPids } = await killWorkerScenario(scene, expect, async () => {
            await waitFor(
              `${threshold} bytes of the log in the driver's file`,
              () => fileSize(logPath(scene, "t")) >= threshold || undefined,
              30_000,
              10,
            );
            const task = starts(scene, "t")[0]!;
            return isAlive(task.pid) && !existsSync(join(scene.dir, "done.marker"))
              ? "worker: shipping a chatty task's log"
              : "worker: shipping aimed, task already ended";
          });
          await expectGone(expect, killedTaskPids, "the first delivery's task");
          await checkEnd(scene, expect, {
            t: { starts: 2, log: burstsOutput(30), deliveries: 2 },
            after: AFTER_ONCE,
          });
        },
      );
    },
  );

  it.concurrent(
    "after the task ended, before the job completed (its log still shipping)",
    { timeout: 90_000 },
    async ({ expect }) => {
      // ~31 MB written at once: the task ends long before the worker has shipped it all.
      await inScene(
        "ended",
        tThenAfter(
          `const t = bash("t", '${RECORD_START("t")}; seq 1 4000000; echo "$FLOW_TRY_NUMBER" >> ended.txt');`,
        ),
        async (scene) => {
          await killWorkerScenario(scene, expect, async (a) => {
            await waitFor(
              "the task to end",
              () => {
                const task = starts(scene, "t")[0];
                return task && existsSync(join(scene.dir, "ended.txt")) && !isAlive(task.pid)
                  ? true
                  : undefined;
              },
              30_000,
              5,
            );
            await sleep(scene.rng.int(0, 200));
            const jobId = taskState(scene, "t")?.job_id;
            const reported = new RegExp(`${DAG}\\.t \\S+ try 1: success`).test(a.output());
            return jobId && !reported && !(await jobFinished(scene, jobId))
              ? "worker: task ended, job not completed"
              : "worker: task ended, job already completed";
          });
          await checkEnd(scene, expect, {
            t: { starts: 2, log: Buffer.from(seqLines(String, 1, 4_000_000)), deliveries: 2 },
            after: AFTER_ONCE,
          });
        },
      );
    },
  );

  it.concurrent(
    "a function task mid-task (in the worker's pool child)",
    { timeout: 90_000 },
    async ({ expect }) => {
      await inScene(
        "function",
        tThenAfter(
          `const t = fn("t", async (ctx) => {
  appendFileSync("starts-t.txt", \`\${ctx.tryNumber} \${process.pid}\\n\`);
  for (let i = 1; i <= 500; i++) ctx.log.info(\`fn line \${i}\`);
  writeFileSync("mid.marker", "");
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (let i = 501; i <= 1000; i++) ctx.log.info(\`fn line \${i}\`);
  return { lines: 1000 };
});`,
          `import { appendFileSync, writeFileSync } from "node:fs";
import { bash, chain, dag, fn } from "flow";`,
        ),
        async (scene) => {
          const { killedTaskPids } = await killWorkerScenario(scene, expect, async () => {
            await atMidMarker(scene);
            return isAlive(starts(scene, "t")[0]!.pid)
              ? "worker: function task mid-task"
              : "worker: function task mid-task aimed, pool child gone";
          });
          // The pool child of the killed worker ends once its IPC channel closes.
          await expectGone(expect, killedTaskPids, "the killed worker's pool child");
          // Log lines are `[time] INFO fn line N`: the times go.
          const normalise = (text: Buffer): Buffer =>
            Buffer.from(text.toString("latin1").replace(/^\[[^\]]+\] /gm, ""), "latin1");
          await checkEnd(scene, expect, {
            t: {
              starts: 2,
              log: Buffer.from(seqLines((i) => `INFO fn line ${i}`, 1, 1000)),
              deliveries: 2,
              normalise,
            },
            after: AFTER_ONCE,
          });
        },
      );
    },
  );
});

// --- driver kills ---------------------------------------------------------------------------

describe("kill -9 of the driver while its tries are on workers; a restarted driver adopts them", () => {
  it.concurrent(
    "one try running on a worker, one waiting in the queue",
    { timeout: 90_000 },
    async ({ expect }) => {
      await inScene(
        "driver queued",
        `
import { bash, dag } from "flow";
const a = bash("a", '${RECORD_START("a")}; echo a-begin; sleep 2; echo a-end');
const b = bash("b", '${RECORD_START("b")}; echo b-begin; sleep 2; echo b-end');
export default dag({ id: "${DAG}", tasks: [a, b] });
`,
        async (scene) => {
          await scene.queue.worker(["--concurrency", "1"]);
          const driver = scene.driver();
          await waitFor(
            "one try running, the other waiting in the queue",
            async () => {
              const running = starts(scene, "a").length + starts(scene, "b").length;
              const waiting = await scene.redis.llen("flow:default:wait");
              return running === 1 && waiting === 1 ? true : undefined;
            },
            30_000,
            10,
          );
          await sleep(scene.rng.int(0, 800));
          const first = starts(scene, "a").length === 1 ? "a" : "b";
          const where =
            isAlive(starts(scene, first)[0]!.pid) &&
            (await scene.redis.llen("flow:default:wait")) === 1
              ? "driver: one try running on a worker, one queued"
              : "driver: one try running, one queued aimed, the first already ended";
          kill9(scene, expect, driver.pid!, "the driver", where);
          expect((await driverEnded(scene, driver)).signal).toBe("SIGKILL");
          const atKill = runState(scene);
          expect(["queued", "running"], "a's state at the kill").toContain(atKill?.tasks.a?.state);
          expect(["queued", "running"], "b's state at the kill").toContain(atKill?.tasks.b?.state);
          await restartDriver(scene, expect);
          await checkEnd(scene, expect, {
            a: { starts: 1, log: Buffer.from("a-begin\na-end\n"), deliveries: 1 },
            b: { starts: 1, log: Buffer.from("b-begin\nb-end\n"), deliveries: 1 },
          });
        },
      );
    },
  );

  it.concurrent("while it appends a chatty task's log", { timeout: 90_000 }, async ({ expect }) => {
    await inScene(
      "driver shipping",
      tThenAfter(`const t = bash("t", '${RECORD_START("t")}; ${burstsCommand(40)}');`),
      async (scene) => {
        await scene.queue.worker(["--concurrency", "1"]);
        const driver = scene.driver();
        const threshold = scene.rng.int(500_000, 4_000_000);
        await waitFor(
          `${threshold} bytes of the log in the driver's file`,
          () => fileSize(logPath(scene, "t")) >= threshold || undefined,
          30_000,
          10,
        );
        const where = !existsSync(join(scene.dir, "done.marker"))
          ? "driver: appending a running chatty task's log"
          : "driver: appending a chatty task's log, task already ended";
        kill9(scene, expect, driver.pid!, "the driver", where);
        expect((await driverEnded(scene, driver)).signal).toBe("SIGKILL");
        await restartDriver(scene, expect);
        await checkEnd(scene, expect, {
          t: { starts: 1, log: burstsOutput(40), deliveries: 1 },
          after: AFTER_ONCE,
        });
      },
    );
  });

  it.concurrent(
    "after the job completed, before the driver recorded the result",
    { timeout: 90_000 },
    async ({ expect }) => {
      // ~21 MB at the end: the job completes with the log stream full, which the driver drains
      // before it records the result.
      await inScene(
        "driver recorded",
        tThenAfter(
          `const t = bash("t", '${RECORD_START("t")}; seq 1 3000000');`,
          undefined,
          `const after = bash("after", '${RECORD_START("after")}; sleep 1; echo after');`,
        ),
        async (scene) => {
          await scene.queue.worker(["--concurrency", "1"]);
          const driver = scene.driver();
          const jobId = await waitFor(
            "t's job id",
            () => taskState(scene, "t")?.job_id,
            30_000,
            10,
          );
          // The job completes in Redis; the driver then drains the rest of the log and records.
          await waitFor(
            "t's job to complete (or its result to be recorded)",
            async () =>
              (await jobFinished(scene, jobId)) || taskState(scene, "t")?.state === "success"
                ? true
                : undefined,
            30_000,
            2,
          );
          const recorded = taskState(scene, "t");
          const where =
            recorded?.state === "success"
              ? "driver: job completed, result already recorded"
              : "driver: job completed, result not recorded yet";
          kill9(scene, expect, driver.pid!, "the driver", where);
          expect((await driverEnded(scene, driver)).signal).toBe("SIGKILL");
          const atKill = taskState(scene, "t");
          scene.events.push(`t at the kill: ${atKill?.state} (end ${atKill?.end})`);
          const printedBeforeKill = /^\S+ {2}t {2}success\b/m.test(scene.driverOutput.at(-1)!);
          await restartDriver(scene, expect);
          // A result the killed driver recorded is not recorded (nor printed) again.
          if (atKill?.state === "success") {
            expect(taskState(scene, "t")?.end).toBe(atKill.end);
            expect(scene.driverOutput.at(-1)).not.toMatch(/^\S+ {2}t {2}success\b/m);
          }
          await checkEnd(scene, expect, {
            t: {
              starts: 1,
              log: Buffer.from(seqLines(String, 1, 3_000_000)),
              deliveries: 1,
              printed: atKill?.state === "success" && !printedBeforeKill ? 0 : 1,
            },
            after: AFTER_ONCE,
          });
        },
      );
    },
  );
});
