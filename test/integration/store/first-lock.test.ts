import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { releaseLock, takeLock } from "../../../src/store/locks.js";

// Its own file: the first lock a module instance of lock-fs takes is the one proper-lockfile
// probes the mtime precision with.
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("dates the first lock of a process now, not up to a second ahead (it must go stale on time)", async () => {
  dir = mkdtempSync(join(tmpdir(), "flow-first-lock-"));
  const lockPath = join(dir, "run.json.lock");
  const before = Date.now();
  const release = await takeLock(join(dir, "run.json"), lockPath, { staleMs: 2000 }, "fail-fast");
  expect(release).not.toBe("held");
  const mtime = statSync(lockPath).mtimeMs;
  expect(mtime).toBeGreaterThanOrEqual(before - 1000);
  expect(mtime).toBeLessThanOrEqual(Date.now() + 1);
  await releaseLock(release as () => Promise<void>);
});
