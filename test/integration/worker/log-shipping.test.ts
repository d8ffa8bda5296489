import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { startRedis, type TestRedis } from "../../e2e/redis-server.js";
import { LOG_CHUNK_BYTES, LOG_CHUNKS_IN_FLIGHT } from "../../../src/queue/protocol.js";
import { jobFor, openQueue, resultOf, startWorker, type RunningWorker } from "./helpers.js";

// A task that prints far more than Redis should hold: the worker ships it in chunks and waits
// while the driver (here, this test) has not taken what is in the stream.

const TOTAL = 40 * 1024 * 1024;
const PIPELINE = `
import { dag, bash } from "flow";
export default dag({
  id: "big",
  tasks: [bash("out", "head -c ${TOTAL} /dev/zero | tr '\\\\0' x")],
});
`;

let project: Project;
let redis: TestRedis;
let worker: RunningWorker;
let q: ReturnType<typeof openQueue>;

beforeAll(async () => {
  redis = await startRedis();
  project = await makeProject({ "pipelines/big.ts": PIPELINE });
  worker = await startWorker(project, redis.url);
  q = openQueue(redis.url);
});

afterAll(async () => {
  worker?.signal("SIGTERM");
  await worker?.process;
  await q?.close();
  await redis?.cleanup();
  await project?.cleanup();
});

describe("flow worker's log shipping", () => {
  it("keeps at most LOG_CHUNKS_IN_FLIGHT chunks in Redis, and every byte arrives in order", async () => {
    const { jobId, data } = await jobFor(project, {
      file: "big.ts",
      dagId: "big",
      taskId: "out",
      kind: "bash",
    });
    const key = q.keys.log(jobId);
    await q.add(jobId, data);
    // The driver's part: read, check, delete what was read, slowly at first.
    let received = 0;
    let longest = 0;
    let end: number | undefined;
    let lastId = "0";
    const reader = q.redis.duplicate();
    while (end === undefined) {
      longest = Math.max(longest, await q.redis.xlen(key));
      const read = await reader.xreadBuffer("COUNT", 64, "BLOCK", 1000, "STREAMS", key, lastId);
      for (const [, entries] of read ?? []) {
        for (const [id, fields] of entries) {
          lastId = id.toString();
          const map = new Map<string, Buffer>();
          for (let i = 0; i < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
          if (map.has("end")) {
            end = Number(map.get("end")!.toString());
            continue;
          }
          expect(Number(map.get("o")!.toString())).toBe(received);
          const bytes = map.get("b")!;
          expect(bytes.length).toBeLessThanOrEqual(LOG_CHUNK_BYTES);
          received += bytes.length;
          await q.redis.xdel(key, lastId);
        }
      }
      if (received < 20 * LOG_CHUNK_BYTES) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    reader.disconnect();
    expect(received).toBe(TOTAL);
    expect(end).toBe(TOTAL);
    expect(longest).toBeLessThanOrEqual(LOG_CHUNKS_IN_FLIGHT + 1);
    // The slow start filled the stream: the worker did wait.
    expect(longest).toBeGreaterThanOrEqual(LOG_CHUNKS_IN_FLIGHT - 64);
    const { result } = await resultOf(q.queue, jobId);
    expect(result).toMatchObject({ outcome: { status: "success" }, logBytes: TOTAL });
  }, 90_000);
});
