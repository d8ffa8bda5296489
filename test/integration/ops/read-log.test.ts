import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { readLogChunk } from "../../../src/ops/read-log.js";

let dir: string | undefined;
afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

async function logWith(content: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), "flow-log-"));
  const path = join(dir, "1.log");
  await writeFile(path, content);
  return path;
}

describe("readLogChunk", () => {
  it("reads from an offset to the end, and where the next read starts", async () => {
    const path = await logWith("hello\nworld\n");
    const chunk = await readLogChunk(path, 6);
    expect(chunk).toEqual({ data: Buffer.from("world\n"), nextOffset: 12, size: 12 });
  });

  it("reads at most maxBytes, so a poller can follow a big log in steps", async () => {
    const path = await logWith("abcdefgh");
    const first = await readLogChunk(path, 0, 3);
    expect(first).toEqual({ data: Buffer.from("abc"), nextOffset: 3, size: 8 });
    const second = await readLogChunk(path, first!.nextOffset, 100);
    expect(second!.data.toString()).toBe("defgh");
  });

  it("picks up what a running try appends after the last read", async () => {
    const path = await logWith("one\n");
    const first = await readLogChunk(path, 0);
    await appendFile(path, "two\n");
    const next = await readLogChunk(path, first!.nextOffset);
    expect(next).toEqual({ data: Buffer.from("two\n"), nextOffset: 8, size: 8 });
  });

  it("at the end: no data, the offset stays", async () => {
    const path = await logWith("done\n");
    expect(await readLogChunk(path, 5)).toEqual({ data: Buffer.alloc(0), nextOffset: 5, size: 5 });
    expect(await readLogChunk(path, 50)).toEqual({
      data: Buffer.alloc(0),
      nextOffset: 50,
      size: 5,
    });
  });

  it("undefined for a try that wrote no log", async () => {
    const path = await logWith("");
    expect(await readLogChunk(`${path}.missing`, 0)).toBeUndefined();
  });

  it("a negative offset is a usage error", async () => {
    const path = await logWith("x");
    await expect(readLogChunk(path, -1)).rejects.toBeInstanceOf(UsageError);
  });
});
