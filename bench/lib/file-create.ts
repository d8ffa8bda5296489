import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

/**
 * What creating a file costs in `dir` (a new folder is made there): `count` empty files opened
 * for append and closed, as flow's spawner creates a try's log. Wall and CPU microseconds per
 * file, open and close from Node included.
 *
 * It depends on the machine more than one would think: an ext4 without a journal (this
 * project's test machines) skips, for every new inode, the free ones freed in the last minute
 * (five more while their inode table block is dirty), one buffer lookup each, so right after a
 * mass delete each create pays for all of it (ext4's recently_deleted()). A journaled ext4 never
 * makes that check.
 */
export function fileCreateCost(dir: string, count = 1000): { wallUs: number; cpuUs: number } {
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) closeSync(openSync(join(dir, `f${i}.log`), "a"));
  const used = process.cpuUsage(cpu);
  return {
    wallUs: ((performance.now() - started) * 1000) / count,
    cpuUs: (used.user + used.system) / count,
  };
}
