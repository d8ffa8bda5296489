import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFiles } from "../../../src/api/glob.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "flow-glob-"));
  for (const file of [
    "a.csv",
    "b.csv",
    "c.txt",
    ".hidden.csv",
    "x/d.csv",
    "x/y/e.csv",
    "x/y/f1.csv",
  ]) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), "");
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("findFiles", () => {
  it.each([
    ["*.csv", ["a.csv", "b.csv"]],
    ["?.csv", ["a.csv", "b.csv"]],
    [".*.csv", [".hidden.csv"]],
    ["**/*.csv", ["a.csv", "b.csv", "x/d.csv", "x/y/e.csv", "x/y/f1.csv"]],
    ["x/**/f?.csv", ["x/y/f1.csv"]],
    ["x/*/e.csv", ["x/y/e.csv"]],
    ["c.txt", ["c.txt"]],
    ["x", []],
    ["missing/*.csv", []],
    ["*.parquet", []],
  ])("%s", async (pattern, expected) => {
    expect(await findFiles(join(root, pattern))).toEqual(expected.map((file) => join(root, file)));
  });
});
