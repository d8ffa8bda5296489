import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LogReceiver } from "../../../src/executors/queue/log-receiver.js";
import { startRedis, type TestRedis } from "../../e2e/redis-server.js";

// The driver's side of log shipping against a real redis-server: every byte once, in order,
// across restarts of the driver and deliveries of the try.

let redis: TestRedis;
let client: Redis;
let dir: string;
let n = 0;
let stream: string;
let base: string;
let file: string;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  dir = await mkdtemp(join(tmpdir(), "flow-logrx-"));
});
afterAll(async () => {
  client.disconnect();
  await redis.cleanup();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  n++;
  stream = `flow:test:log:job${n}`;
  base = `flow:test:logbase:job${n}`;
  file = join(dir, `try${n}`, "1.log");
});

const receiver = (): LogReceiver => new LogReceiver(client, file, stream, base);
const chunk = (delivery: number, offset: number, text: string): Promise<unknown> =>
  client.xadd(stream, "*", "d", String(delivery), "o", String(offset), "b", Buffer.from(text));
const end = (delivery: number, bytes: number): Promise<unknown> =>
  client.xadd(stream, "*", "d", String(delivery), "end", String(bytes));

describe("LogReceiver", () => {
  it("appends entries in order and trims the stream", async () => {
    await chunk(1, 0, "hello ");
    await chunk(1, 6, "world\n");
    const rx = receiver();
    await rx.pull();
    expect(await readFile(file, "utf8")).toBe("hello world\n");
    expect(await client.xlen(stream)).toBe(0);
  });

  it("skips what it wrote before a restart (appended, not yet trimmed) and appends the rest", async () => {
    await chunk(1, 0, "abc");
    await receiver().pull();
    // As if the driver died after appending and before trimming: the entry is there again.
    await chunk(1, 0, "abc");
    await chunk(1, 3, "def");
    // A partly written entry: only its tail is new.
    await chunk(1, 4, "efgh");
    await receiver().pull();
    expect(await readFile(file, "utf8")).toBe("abcdefgh");
  });

  it("starts a new delivery after the old one's bytes and drops a stale delivery's late entries", async () => {
    await chunk(1, 0, "first start\n");
    const rx = receiver();
    await rx.pull();
    await chunk(2, 0, "flow: delivery 2\nsecond start\n");
    await chunk(1, 12, "late bytes of the first start\n");
    await rx.pull();
    // A restarted driver knows where delivery 2 began.
    await chunk(2, 30, "done\n");
    await end(2, 35);
    expect(await receiver().drain(2, 35, 1_000)).toBe(0);
    expect(await readFile(file, "utf8")).toBe(
      "first start\nflow: delivery 2\nsecond start\ndone\n",
    );
  });

  it("starts a new delivery on a line of its own when the old one stopped mid-line", async () => {
    await chunk(1, 0, "half a li");
    await receiver().pull();
    await chunk(2, 0, "flow: delivery 2\n");
    await chunk(2, 17, "whole\n");
    await receiver().pull();
    expect(await readFile(file, "utf8")).toBe("half a li\nflow: delivery 2\nwhole\n");
  });

  it("keeps the delivery's offsets right after a note of flow's own", async () => {
    await chunk(1, 0, "one\n");
    const rx = receiver();
    await rx.pull();
    await rx.note("the job was gone from Redis; queued it again");
    await chunk(1, 4, "two\n");
    await chunk(1, 0, "one\n"); // already written: skipped
    await receiver().pull();
    expect(await readFile(file, "utf8")).toBe(
      "one\nflow: the job was gone from Redis; queued it again\ntwo\n",
    );
  });

  it("says how many bytes Redis lost (restarted without its data) and goes on after them", async () => {
    await chunk(1, 0, "begin\n");
    const rx = receiver();
    await rx.pull();
    // "half\n" (6..10) was in the stream when Redis lost its data; the worker shipped on.
    await chunk(1, 11, "after");
    await chunk(1, 16, " the loss\n");
    await rx.pull();
    await chunk(1, 26, "end\n");
    await end(1, 30);
    expect(await receiver().drain(1, 30, 1_000)).toBe(0);
    expect(await readFile(file, "utf8")).toBe(
      "begin\nflow: 5 bytes of this try's log were lost in Redis\nafter the loss\nend\n",
    );
  });

  it("drains up to the end marker, and says how many bytes never came", async () => {
    await chunk(1, 0, "partial");
    expect(await receiver().drain(1, 100, 200)).toBe(93);
    await end(1, 0);
    const empty = join(dir, `empty${n}.log`);
    const rx = new LogReceiver(client, empty, stream, base);
    expect(await rx.drain(1, 7, 200)).toBe(0);
  });
});
