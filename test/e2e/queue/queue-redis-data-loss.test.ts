import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { readRawState } from "../../fault/fault-harness.js";
import { queueSetup, storedRun, until, type QueueSetup } from "./queue-helpers.js";

// Redis restarted without its data (no append-only file, no snapshot) while a worker runs a
// try: the job, its lock and the worker's registry entry are gone, but the task still runs on
// the worker. The README promises a try is started at most twice ("Delivered at least once").
// Before the fix the driver queued the job again at once, the same worker started it a second
// time beside the first, and BullMQ (which tracks a worker's locks by job id) stopped renewing
// the second delivery's lock when the first ended, so a stall check could start it a third time.
// Now the worker stops a try whose job is gone, and the driver queues the job again only once no
// worker lists the try as running.

// Each start appends its shell's pid to starts.txt, after noting in overlaps.txt every earlier
// start whose shell is still alive (not a zombie): two starts of the try at once.
const pipeline = (seconds: number): string => `
import { bash, chain, dag } from "flow";
const slow = bash(
  "slow",
  [
    "for p in $(cat starts.txt 2>/dev/null); do",
    "  if [ -e /proc/$p ] && ! grep -q ') Z' /proc/$p/stat; then echo \\"$$ beside $p\\" >> overlaps.txt; fi",
    "done",
    "echo $$ >> starts.txt",
    "echo begin; sleep ${seconds}; echo end",
  ].join("\\n"),
);
const after = bash("after", "true");
chain(slow, after);
export default dag({ id: "etl", tasks: [slow, after] });
`;

let setup: QueueSetup | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

async function lines(queue: QueueSetup, file: string): Promise<string[]> {
  const text = await readFile(join(queue.project.dir, file), "utf8").catch(() => "");
  return text.split("\n").filter(Boolean);
}

describe("Redis restarted without its data mid-try", () => {
  it("the try's first start is stopped before it is queued again: two starts, never at once", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": pipeline(15) }, { persist: false });
    // Free slots on the one worker: the job queued again could be taken beside the first start.
    const worker = await setup.worker(["--concurrency", "4"]);
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs]);
    // The driver has the first start's "begin" in the try's log: the task is mid-way.
    await until(
      async () => {
        const [run] = readRawState(setup!.project.stateDir).runs.values();
        const path = run?.tasks.slow?.log_path;
        return path ? (await readFile(path, "utf8").catch(() => "")) === "begin\n" : false;
      },
      20_000,
      () => "the first start of slow to print begin",
    );
    await setup.redis.restart({ downMs: 500 });
    const result = await driver;
    const output = `${String(result.stdout)}${String(result.stderr)}\n--- worker\n${worker.output()}`;

    expect(await lines(setup, "overlaps.txt"), output).toEqual([]);
    expect(await lines(setup, "starts.txt"), output).toHaveLength(2);
    expect(result.exitCode, output).toBe(0);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({ state: "success", try_number: 1 });
    expect(run.tasks.after?.state).toBe("success");
    // The first start's output, why it stopped, then the second start's whole output.
    expect(await readFile(run.tasks.slow!.log_path!, "utf8")).toMatch(
      new RegExp(
        [
          "^begin",
          // The bash executor's own line (timestamped) says why it stopped the task, not "cancelled".
          "(Terminated\n)?\\[\\S+\\] ERROR flow: job lost: its job is gone from Redis \\(restarted without its data\\?\\); the driver queues the try again: flow stopped the task's processes",
          "flow: worker \\S+ stopped the try: its job is gone from Redis \\(restarted without its data\\?\\); the driver queues the try again",
          "flow: the job of this try was gone from Redis \\(restarted without its data\\?\\) and no worker runs the try; queued it again",
          "flow: delivery 2 of try 1 on worker \\S+: the previous delivery's job was lost from Redis and queued again; the task starts over",
          "begin",
          "end\n$",
        ].join("\n"),
      ),
    );
    expect(worker.output()).toMatch(
      /etl\.slow \S+ try 1: stopped after \S+: its job is gone from Redis [\s\S]*etl\.slow \S+ try 1: started \(delivery 2\)\n.*etl\.slow \S+ try 1: success in /,
    );
  }, 120_000);

  it("a try whose job was lost while it waited for a worker is queued again and starts once", async () => {
    setup = await queueSetup({ "pipelines/etl.ts": pipeline(1) }, { persist: false });
    const driver = setup.project.spawn(["run", "etl", ...setup.queueArgs]);
    const redis = new Redis(setup.redis.url, { maxRetriesPerRequest: null });
    redis.on("error", () => undefined);
    try {
      await until(
        async () => {
          const [run] = readRawState(setup!.project.stateDir).runs.values();
          const jobId = run?.tasks.slow?.job_id;
          return jobId !== undefined && (await redis.exists(`flow:default:${jobId}`)) === 1;
        },
        20_000,
        () => "the job of slow in Redis",
      );
      await setup.redis.restart({ downMs: 500 });
    } finally {
      redis.disconnect();
    }
    const worker = await setup.worker();
    const result = await driver;
    const output = `${String(result.stdout)}${String(result.stderr)}\n--- worker\n${worker.output()}`;
    expect(result.exitCode, output).toBe(0);
    expect(await lines(setup, "starts.txt"), output).toHaveLength(1);
    const run = await storedRun(setup.project, "etl");
    expect(run.tasks.slow).toMatchObject({ state: "success", try_number: 1 });
    expect(await readFile(run.tasks.slow!.log_path!, "utf8")).toBe(
      "flow: the job of this try was gone from Redis (restarted without its data?) and no worker runs the try; queued it again\nbegin\nend\n",
    );
    expect(worker.output()).not.toMatch(/delivery 2/);
  }, 120_000);
});
