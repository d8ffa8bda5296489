import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syncDir } from "../../../src/store/dir-sync.js";
import { prepareFile, writeFileDurably } from "../../../src/store/durable-write.js";
import { useTempDirs } from "./temp-dir.js";

const tempDir = useTempDirs();

describe("writeFileDurably", () => {
  it("replaces the file and leaves no temp file behind", async () => {
    const dir = await tempDir();
    const path = join(dir, "run.json");
    await writeFile(path, "old\n");
    await writeFileDurably(path, "new\n");
    expect(await readFile(path, "utf8")).toBe("new\n");
    expect(await readdir(dir)).toEqual(["run.json"]);
  });

  it("prepares under a temp name that readers skip, and commits or discards it", async () => {
    const dir = await tempDir();
    const path = join(dir, "run.json");
    const kept = await prepareFile(path, "kept\n");
    const dropped = await prepareFile(join(dir, "other.json"), "dropped\n");
    const names = await readdir(dir);
    expect(names).toHaveLength(2);
    expect(names.every((name) => name.endsWith(".tmp"))).toBe(true);
    await kept.commit();
    dropped.discard();
    expect(await readdir(dir)).toEqual(["run.json"]);
    expect(await readFile(path, "utf8")).toBe("kept\n");
  });

  it("rejects when the folder does not exist", async () => {
    const dir = await tempDir();
    await expect(writeFileDurably(join(dir, "missing", "run.json"), "x")).rejects.toThrow(/ENOENT/);
  });
});

describe("syncDir", () => {
  it("serves many callers at once, and never rejects (a folder that cannot be synced)", async () => {
    const dir = await tempDir();
    await Promise.all(Array.from({ length: 20 }, () => syncDir(dir)));
    await expect(syncDir(join(dir, "missing"))).resolves.toBeUndefined();
    await syncDir(dir); // after the others: a fresh fsync, not a stale promise
  });
});
