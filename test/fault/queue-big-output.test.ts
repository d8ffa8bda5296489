import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { FLOW_BIN } from "../e2e/harness.js";
import { queueSetup, storedRun } from "../e2e/queue/queue-helpers.js";

// test/fault/big-output.test.ts through `--executor queue` and one `flow worker`: a task that
// prints 200 MB on the worker ends with every byte in the try's log file in the driver's state
// dir, shipped through Redis in bounded chunks. The driver's and the worker's peak memory stay
// under 250 MB, Redis never holds more than the chunks in flight, the try's log stream and its
// job are gone once the run is recorded, and the worker's local copy of the log is removed.

const BYTES = 200_000_000;
const RSS_LIMIT_KB = 250 * 1024;
// LOG_CHUNK_BYTES x LOG_CHUNKS_IN_FLIGHT is 16 MB; Redis itself and its stream overhead come on top.
const REDIS_PEAK_LIMIT = 96 * 1024 * 1024;
const TIME = "/usr/bin/time";
const RUN_ID = "manual__2026-05-01T00:00:00+00:00";

const figures: string[] = [];
afterAll(() => console.log(`fault queue big output: ${figures.join("; ")}`));

// How many bytes of the file are `char` (counted by tr, not read into the test's memory).
const countChar = (path: string, char: string): number =>
  Number(execFileSync("sh", ["-c", `tr -cd '${char}' < '${path}' | wc -c`], { encoding: "utf8" }));

// The first and last `n` bytes of a file, without reading the rest.
function ends(path: string, n: number): { head: string; tail: string } {
  const head = execFileSync("head", ["-c", String(n), path], { encoding: "utf8" });
  const tail = execFileSync("tail", ["-c", String(n), path], { encoding: "utf8" });
  return { head, tail };
}

// The peak resident set of a live process, in KB (its VmHWM).
function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]);
}

async function redisCli(port: number, args: string[]): Promise<string> {
  return (await execa("redis-cli", ["-p", String(port), ...args])).stdout;
}

describe.skipIf(!existsSync(TIME))("a task on a worker that prints 200 MB", () => {
  it.each([
    ["one 200 MB line", `head -c ${BYTES} /dev/zero | tr '\\0' x`, "x"],
    ["100 million short lines", `yes | head -c ${BYTES}`, "y"],
  ])(
    "%s: the driver's log file holds all of it; driver and worker stay under 250 MB; Redis is emptied",
    { timeout: 180_000 },
    async (name, command, char) => {
      const queue = await queueSetup({
        "pipelines/big.ts": `
import { dag, bash } from "flow";
export default dag({ id: "big", tasks: [bash("shout", ${JSON.stringify(command)})] });
`,
      });
      try {
        const worker = await queue.worker(["--concurrency", "1"]);
        const { project, redis } = queue;
        // The driver under /usr/bin/time, for its max RSS.
        const rssFile = join(project.dir, "rss-run.txt");
        const started = Date.now();
        const run = await execa(
          TIME,
          [
            "-f",
            "%M",
            "-o",
            rssFile,
            process.execPath,
            FLOW_BIN,
            "run",
            "big",
            "--date",
            "2026-05-01",
            ...queue.queueArgs,
          ],
          {
            cwd: project.dir,
            env: {
              NO_COLOR: "1",
              FORCE_COLOR: "0",
              FLOW_CACHE_DIR: join(project.dir, ".flow-cache"),
            },
            reject: false,
            stdin: "ignore",
          },
        );
        const seconds = (Date.now() - started) / 1000;
        expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
        const driverRssKb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());

        // The log in the driver's state dir: every byte, first and last lines as printed.
        const stored = await storedRun(project, "big");
        expect(stored.tasks.shout).toMatchObject({ state: "success", try_number: 1 });
        const log = join(project.stateDir, "logs/big", RUN_ID, "shout.1.log");
        expect(stored.tasks.shout!.log_path).toBe(log);
        expect(statSync(log).size).toBe(BYTES);
        expect(countChar(log, char)).toBe(char === "y" ? BYTES / 2 : BYTES);
        const { head, tail } = ends(log, 64);
        expect(head).toBe(char === "y" ? "y\n".repeat(32) : "x".repeat(64));
        expect(tail).toBe(char === "y" ? "y\n".repeat(32) : "x".repeat(64));

        // Nothing of the try is left in Redis once the run is recorded: no log stream (an empty
        // stream is still a key), no log base, no job.
        const jobId = stored.tasks.shout!.job_id!;
        expect(jobId).toBeTruthy();
        const left = (
          await Promise.all(
            ["flow:*:log:*", "flow:*:logbase:*", "flow:*:cancelled:*", `flow:*${jobId}*`].map(
              (pattern) => redisCli(redis.port, ["--scan", "--pattern", pattern]),
            ),
          )
        )
          .join("\n")
          .split("\n")
          .filter(Boolean);
        expect(left, "Redis keys left for the recorded try").toEqual([]);
        const redisPeak = Number(
          /used_memory_peak:(\d+)/.exec(await redisCli(redis.port, ["info", "memory"]))![1],
        );

        // The worker: its peak memory, and its local copy of the log removed once shipped.
        const workerRssKb = peakRssKb(worker.pid);
        const localLogs = readdirSync(tmpdir())
          .filter((dir) => dir.startsWith(`flow-worker-${worker.pid}-`))
          .flatMap((dir) => readdirSync(join(tmpdir(), dir)));
        expect(localLogs, "the worker's local log files").toEqual([]);

        figures.push(
          `${name}: ${seconds.toFixed(1)} s, driver max RSS ${Math.round(driverRssKb / 1024)} MB, ` +
            `worker ${Math.round(workerRssKb / 1024)} MB, Redis peak ${Math.round(redisPeak / 1024 / 1024)} MB`,
        );
        expect(driverRssKb, "flow run max RSS (KB)").toBeLessThan(RSS_LIMIT_KB);
        expect(workerRssKb, "flow worker max RSS (KB)").toBeLessThan(RSS_LIMIT_KB);
        expect(redisPeak, "Redis peak memory (bytes)").toBeLessThan(REDIS_PEAK_LIMIT);
        expect(worker.output()).toMatch(/big\.shout \S+ try 1: success in /);
      } finally {
        await queue.cleanup();
      }
    },
  );
});
