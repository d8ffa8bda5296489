import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachmentProblems } from "../../../src/tasks/email/attachment-problems.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flow-attachments-"));
  await writeFile(join(dir, "report.csv"), "x");
  await mkdir(join(dir, "folder"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("attachmentProblems", () => {
  it("a readable file: no problem", async () => {
    expect(
      await attachmentProblems([{ given: "report.csv", path: join(dir, "report.csv") }]),
    ).toEqual([]);
  });

  it("one line per file that cannot be read, naming it as given and where it was looked for", async () => {
    const absolute = join(dir, "gone.csv");
    expect(
      await attachmentProblems([
        { given: "missing.csv", path: join(dir, "missing.csv") },
        { given: "report.csv", path: join(dir, "report.csv") },
        { given: "folder", path: join(dir, "folder") },
        { given: absolute, path: absolute },
        { given: "report.csv/x", path: join(dir, "report.csv", "x") },
      ]),
    ).toEqual([
      `attachment "missing.csv" (${dir}/missing.csv) does not exist`,
      `attachment "folder" (${dir}/folder) is a folder, not a file`,
      `attachment "${absolute}" does not exist`,
      `attachment "report.csv/x" (${dir}/report.csv/x) cannot be read: ENOTDIR`,
    ]);
  });
});
