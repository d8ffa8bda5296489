import type { Redis } from "ioredis";
import type { WorkerEntry } from "./protocol.js";

/**
 * The live workers whose registry keys match `pattern`, oldest first: what `flow workers` lists,
 * and where a driver looks for a try whose job Redis lost.
 */
export async function listWorkers(redis: Redis, pattern: string): Promise<WorkerEntry[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const entries: WorkerEntry[] = [];
  for (const value of values) {
    if (value === null) continue; // expired between SCAN and MGET
    try {
      entries.push(JSON.parse(value) as WorkerEntry);
    } catch {
      // not a worker entry of ours: skip it
    }
  }
  return entries.sort(
    (a, b) =>
      a.startedAt.localeCompare(b.startedAt) || a.host.localeCompare(b.host) || a.pid - b.pid,
  );
}
