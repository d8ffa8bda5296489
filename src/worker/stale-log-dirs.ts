import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isProcessAlive } from "../scheduler/process-alive.js";

const LOG_DIR = /^flow-worker-(\d+)-/;

/**
 * Removes the log folders that workers killed with -9 left in `tmp` (`flow-worker-<pid>-*`, its
 * pid no longer running): a killed worker cannot delete the partial logs of its tries, which
 * can be as large as what the tasks printed. Folders it cannot remove are left alone.
 */
export async function removeStaleLogDirs(tmp: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(LOG_DIR.exec(name)?.[1]);
      if (!pid || pid === process.pid || isProcessAlive(pid)) return;
      await rm(join(tmp, name), { recursive: true, force: true }).catch(() => {});
    }),
  );
}
