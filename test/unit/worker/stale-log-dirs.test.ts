import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { removeStaleLogDirs } from "../../../src/worker/stale-log-dirs.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("removes the log folders of workers that are gone, and only those", async () => {
  dir = await mkdtemp(join(tmpdir(), "flow-stale-"));
  const names = [
    "flow-worker-4194303-dead", // beyond any pid this machine has given out
    `flow-worker-${process.pid}-mine`,
    "flow-worker-1-init",
    "something-else",
  ];
  for (const name of names) await mkdir(join(dir, name, "job"), { recursive: true });
  await removeStaleLogDirs(dir);
  expect((await readdir(dir)).sort()).toEqual(names.slice(1).sort());
});
