import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// flow's own code: this file's folder (dist/bundle in the binary, src/executors under tsx), the
// folder above it (the rest of flow) and Node's internals.
const OWN = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The stack of an error a task threw, with the frames of the task's own code only: flow's
 * frames (the executor, the runner) and Node's internals say nothing about the user's bug and
 * bury it. `FLOW_DEBUG=1` keeps every frame.
 */
export function userStack(error: Error, env: NodeJS.ProcessEnv = process.env): string {
  const stack = error.stack ?? String(error);
  if (env.FLOW_DEBUG === "1") return stack;
  const lines = stack.split("\n");
  const kept = lines.filter((line) => !isOwnFrame(line));
  const dropped = lines.length - kept.length;
  if (dropped === 0) return stack;
  return `${kept.join("\n")}\n    (${dropped} frame${dropped === 1 ? "" : "s"} of flow and Node left out; FLOW_DEBUG=1 shows them)`;
}

function isOwnFrame(line: string): boolean {
  if (!/^\s+at /.test(line)) return false;
  return line.includes("node:internal/") || line.includes(OWN) || line.includes(`file://${OWN}`);
}
