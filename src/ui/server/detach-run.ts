import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Workspace } from "../../ops/workspace.js";

/** How to start flow again: node's own arguments and the launcher script (bin/flow.js). */
export interface FlowLauncher {
  readonly nodeArgs: readonly string[];
  readonly script: string;
}

/**
 * Executes a stored run in a detached `flow run <dag> --run <id>` (as the scheduler's --detach
 * starts its daemon): a new session, unref'd, so the server never runs tasks, stays responsive,
 * and can stop or restart without losing a run. Its output goes to a hidden file in the run's
 * log folder (`.flow-run.log`: a dot-name is never a task id), where an early failure (a
 * lock held by another process) can be read. Returns the process, whose exit RunLaunches awaits.
 */
export function startDetachedRun(
  launcher: FlowLauncher,
  workspace: Workspace,
  dagId: string,
  runId: string,
): ChildProcess {
  const dir = join(workspace.stateDir, "logs", dagId, runId);
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, ".flow-run.log"), "a");
  try {
    const child = spawn(
      process.execPath,
      [
        ...launcher.nodeArgs,
        launcher.script,
        "--pipelines",
        workspace.pipelinesDir,
        "--state-dir",
        workspace.stateDir,
        "run",
        dagId,
        "--run",
        runId,
      ],
      { cwd: workspace.cwd, env: workspace.env, detached: true, stdio: ["ignore", fd, fd] },
    );
    // A spawn that fails (no such binary) must not take the server down; the run stays queued.
    child.on("error", () => undefined);
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}
