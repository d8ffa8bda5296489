import { describe, expect, it } from "vitest";
import { bash } from "../../../src/api/index.js";
import { bashProblems } from "../../../src/api/bash-settings.js";

describe("bashProblems: a bash task's command and settings, checked at load", () => {
  it("accepts what the types allow", () => {
    expect(bashProblems("echo hi", {})).toEqual([]);
    expect(bashProblems(() => "echo hi", { cwd: "data", env: { A: "1" } })).toEqual([]);
    expect(bashProblems("true", { skipExitCode: null, noRetryExitCodes: [] })).toEqual([]);
    expect(bashProblems("true", { skipExitCode: 0, noRetryExitCodes: [2, 255] })).toEqual([]);
  });

  it.each<[string, unknown, Record<string, unknown>, string]>([
    ["an empty command", "  ", {}, "the command is empty"],
    [
      "a number as the command",
      5,
      {},
      "the command must be a string or a function returning one, got 5",
    ],
    ["cwd a number", "pwd", { cwd: 42 }, "cwd must be a non-empty string (a folder), got 42"],
    ["cwd empty", "pwd", { cwd: "" }, 'cwd must be a non-empty string (a folder), got ""'],
    [
      "env a string",
      "env",
      { env: "X=1" },
      'env must be an object of strings ({ NAME: "value" }), got "X=1"',
    ],
    [
      "env a list",
      "env",
      { env: ["X=1"] },
      'env must be an object of strings ({ NAME: "value" }), got an array',
    ],
    [
      "an env value a number",
      "env",
      { env: { PORT: 8080 } },
      "env.PORT must be a string, got 8080",
    ],
    [
      "skipExitCode 300",
      "true",
      { skipExitCode: 300 },
      "skipExitCode must be an exit code (an integer from 0 to 255) or null, got 300",
    ],
    [
      "skipExitCode a string",
      "true",
      { skipExitCode: "99" },
      'skipExitCode must be an exit code (an integer from 0 to 255) or null, got "99"',
    ],
    [
      "noRetryExitCodes a number",
      "true",
      { noRetryExitCodes: 2 },
      "noRetryExitCodes must be a list of exit codes (integers from 0 to 255), got 2",
    ],
    [
      "noRetryExitCodes with a string",
      "true",
      { noRetryExitCodes: [2, "3"] },
      "noRetryExitCodes must be a list of exit codes (integers from 0 to 255), got an array",
    ],
  ])("%s", (_name, command, settings, message) => {
    expect(bashProblems(command, settings)).toEqual([message]);
  });

  it("bash() keeps them on the task, for the loader to report", () => {
    expect(bash("t", "", { cwd: 1 as unknown as string }).problems).toEqual([
      "the command is empty",
      "cwd must be a non-empty string (a folder), got 1",
    ]);
    expect(bash("t", "true").problems).toEqual([]);
  });
});
