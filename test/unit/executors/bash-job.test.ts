import { describe, expect, it } from "vitest";
import { buildNativeRecord, type BashJob } from "../../../src/executors/bash-job.js";

const job: BashJob = {
  command: "/usr/bin/env -0",
  cwd: "/work/project",
  env: { FLOW_TASK_ID: "load", EMPTY: "", "my-var": "a=b c" },
  logPath: "/state/logs/etl/run/load.1.log",
  bash: "/bin/bash",
};

// The record's fields as native/flow-spawner.c reads them: id, mode, after, cwd, log, argc,
// argv..., envc, env...; every field ends with a NUL.
function fields(record: string): string[] {
  expect(record.endsWith("\0")).toBe(true);
  return record.slice(0, -1).split("\0");
}

describe("buildNativeRecord", () => {
  it("writes id, mode, after, cwd, log, argv and the environment, with PWD last", () => {
    expect(fields(buildNativeRecord(job)(42))).toEqual([
      "42",
      "x",
      "",
      "/work/project",
      "/state/logs/etl/run/load.1.log",
      "2",
      "/usr/bin/env",
      "-0",
      "4",
      "FLOW_TASK_ID=load",
      "EMPTY=",
      "my-var=a=b c",
      "PWD=/work/project",
    ]);
  });

  it("names the job whose exit 0 it waits for, when it follows one", () => {
    expect(fields(buildNativeRecord(job, 41)(42)).slice(0, 4)).toEqual([
      "42",
      "x",
      "41",
      "/work/project",
    ]);
  });

  it("gives one try's record to any id", () => {
    const record = buildNativeRecord(job);
    expect(fields(record(1)).slice(1)).toEqual(fields(record(2)).slice(1));
    expect(fields(record(7))[0]).toBe("7");
  });

  it("runs a command that is not simple through bash, and a builtin as its status", () => {
    const piped = fields(buildNativeRecord({ ...job, command: "echo hi | wc -c" })(1));
    expect(piped.slice(1, 9)).toEqual([
      "x",
      "",
      "/work/project",
      "/state/logs/etl/run/load.1.log",
      "3",
      "/bin/bash",
      "-c",
      "echo hi | wc -c",
    ]);
    const builtin = fields(buildNativeRecord({ ...job, command: " false " })(1));
    expect(builtin.slice(1, 7)).toEqual(["b", "", "/work/project", job.logPath, "1", "1"]);
  });

  it("sets PWD to the job's cwd even when the task's environment names another", () => {
    const env = fields(buildNativeRecord({ ...job, env: { PWD: "/elsewhere", A: "1" } })(1));
    expect(env.slice(-3)).toEqual(["2", "A=1", "PWD=/work/project"]);
  });

  it.each([
    ["the command", { command: "echo a\0b" }],
    ["the cwd", { cwd: "/work\0/x" }],
    ["the log path", { logPath: "/state/a\0.log" }],
    ["an environment value", { env: { A: "x\0y" } }],
    ["an environment name", { env: { "A\0B": "x" } }],
    ["bash's path, for a command that is not simple", { command: "a | b", bash: "/bin/\0bash" }],
  ])("refuses a NUL character in %s", (_, change) => {
    expect(() => buildNativeRecord({ ...job, ...change })).toThrow(/NUL character/);
  });
});
