import { describe, expect, it } from "vitest";
import { changedFiles } from "../../../src/loader/pipeline-stamps.js";
import { isProcessAlive } from "../../../src/scheduler/process-alive.js";

describe("isProcessAlive", () => {
  it.each([
    { name: "this process", pid: process.pid, want: true },
    { name: "pid 0 (not a process)", pid: 0, want: false },
    { name: "a negative pid", pid: -5, want: false },
    { name: "a pid above the kernel's maximum", pid: 2 ** 31 - 2, want: false },
  ])("$name", ({ pid, want }) => {
    expect(isProcessAlive(pid)).toBe(want);
  });
});

describe("changedFiles", () => {
  const before = new Map([
    ["/p/a.ts", "1-10"],
    ["/p/b.ts", "1-10"],
    ["/p/c.ts", "1-10"],
  ]);
  it.each([
    { name: "nothing changed", after: new Map(before), want: [] },
    { name: "an edit", after: new Map([...before, ["/p/b.ts", "2-11"]]), want: ["/p/b.ts"] },
    { name: "a new file", after: new Map([...before, ["/p/d.ts", "1-1"]]), want: ["/p/d.ts"] },
    {
      name: "a removed file",
      after: new Map([...before].filter(([file]) => file !== "/p/a.ts")),
      want: ["/p/a.ts"],
    },
  ])("$name", ({ after, want }) => {
    expect(changedFiles(before, after)).toEqual(want);
  });
});
