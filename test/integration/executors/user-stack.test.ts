import { describe, expect, it } from "vitest";
import { userStack } from "../../../src/executors/user-stack.js";

// A stack as a function task's error has it: the user's frames, then flow's and Node's.
function thrownThrough(own: string): Error {
  const error = new Error("boom");
  error.stack = [
    "Error: boom",
    "    at helper (/home/me/project/pipelines/etl.ts:2:34)",
    "    at run (/home/me/project/pipelines/etl.ts:3:59)",
    `    at runFunction (file://${own}/function-SRNUCCKR.js:88:13)`,
    `    at RunExecution.launch (${own}/flow.js:22399:26)`,
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
  ].join("\n");
  return error;
}

describe("the stack of an error a function task threw", () => {
  // src/executors under vitest: the folder above is flow's own code.
  const own = new URL("../../../src/runner", import.meta.url).pathname;

  it("keeps the user's frames and says how many of flow's and Node's were left out", () => {
    expect(userStack(thrownThrough(own), {})).toBe(
      [
        "Error: boom",
        "    at helper (/home/me/project/pipelines/etl.ts:2:34)",
        "    at run (/home/me/project/pipelines/etl.ts:3:59)",
        "    (3 frames of flow and Node left out; FLOW_DEBUG=1 shows them)",
      ].join("\n"),
    );
  });

  it("keeps every frame with FLOW_DEBUG=1", () => {
    const error = thrownThrough(own);
    expect(userStack(error, { FLOW_DEBUG: "1" })).toBe(error.stack);
  });
});
