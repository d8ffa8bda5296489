import { describeValue } from "../core/describe-value.js";
import type { BashSettings } from "./definitions.js";

/**
 * What is wrong in a bash task's command and settings, for the loader to report with the DAG's
 * other problems (`flow validate` exits 3): a pipeline in JavaScript, or one that casts, gets no
 * type checking, and a wrong type must not become a runtime error or a silent default.
 */
export function bashProblems(command: unknown, settings: Partial<BashSettings>): string[] {
  const problems: string[] = [];
  if (typeof command === "string") {
    if (command.trim() === "") problems.push("the command is empty");
  } else if (typeof command !== "function")
    problems.push(
      `the command must be a string or a function returning one, got ${describeValue(command)}`,
    );
  const { cwd, env, skipExitCode, noRetryExitCodes } = settings as Record<string, unknown>;
  if (cwd !== undefined && (typeof cwd !== "string" || cwd === ""))
    problems.push(`cwd must be a non-empty string (a folder), got ${describeValue(cwd)}`);
  if (env !== undefined) {
    if (typeof env !== "object" || env === null || Array.isArray(env))
      problems.push(
        `env must be an object of strings ({ NAME: "value" }), got ${describeValue(env)}`,
      );
    else
      for (const [name, value] of Object.entries(env))
        if (typeof value !== "string")
          problems.push(`env.${name} must be a string, got ${describeValue(value)}`);
  }
  if (skipExitCode !== undefined && skipExitCode !== null && !isExitCode(skipExitCode))
    problems.push(
      `skipExitCode must be an exit code (an integer from 0 to 255) or null, got ${describeValue(skipExitCode)}`,
    );
  if (
    noRetryExitCodes !== undefined &&
    !(Array.isArray(noRetryExitCodes) && noRetryExitCodes.every(isExitCode))
  )
    problems.push(
      `noRetryExitCodes must be a list of exit codes (integers from 0 to 255), got ${describeValue(noRetryExitCodes)}`,
    );
  return problems;
}

function isExitCode(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255;
}
