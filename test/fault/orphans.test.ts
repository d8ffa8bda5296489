import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { makeProject, type Project } from "../e2e/harness.js";
import { isAlive, sleep, waitFor } from "./fault-harness.js";

// A bash task that starts background children, then times out or has its run stopped: no
// process is left behind. The task records every pid it starts in pids.txt: a plain background
// child, a double-forked one (its parent subshell exits, so it is nobody's descendant), one
// under nohup, one that ignores SIGTERM (only the SIGKILL after the grace period stops it), and
// the task's own shell. Zombies count as gone (this container's pid 1 never reaps orphans).

const SPAWNER = [
  "sleep 300 & echo $! >> pids.txt",
  "( sleep 300 & echo $! >> pids.txt )",
  "nohup sleep 300 >/dev/null 2>&1 & echo $! >> pids.txt",
  `( trap "" TERM; exec sleep 300 ) & echo $! >> pids.txt`,
  "echo $$ >> pids.txt",
  "echo started > started.txt",
  "sleep 300",
].join("; ");

// Runs after the spawner whatever its outcome, while flow still runs: which pids are alive then.
const CHECKER = [
  "for i in $(seq 1 80); do",
  "  alive=''",
  "  for p in $(cat pids.txt); do",
  '    if [ -e /proc/$p ] && [ "$(cut -d" " -f3 /proc/$p/stat)" != Z ]; then alive="$alive $p"; fi',
  "  done",
  '  [ -z "$alive" ] && break',
  "  sleep 0.1",
  "done",
  'echo "alive:$alive" > alive-during-run.txt',
].join("\n");

function pipeline(timeout: string | undefined): string {
  const options = timeout ? `{ timeout: ${JSON.stringify(timeout)} }` : "{}";
  return `
import { dag, bash } from "flow";
const spawner = bash("spawner", ${JSON.stringify(SPAWNER)}, ${options});
const checker = bash("checker", ${JSON.stringify(CHECKER)}, { upstream: [spawner], triggerRule: "all_done" });
export default dag({ id: "orphans", tasks: [spawner, checker] });
`;
}

const pidsOf = (project: Project): number[] =>
  readFileSync(join(project.dir, "pids.txt"), "utf8").split("\n").filter(Boolean).map(Number);

// Waits (bounded) until every recorded pid is gone; returns the ones still alive.
async function survivors(pids: number[], withinMs: number): Promise<number[]> {
  const until = Date.now() + withinMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < until) {
    await sleep(100);
    alive = alive.filter(isAlive);
  }
  return alive;
}

async function whenStarted(project: Project): Promise<void> {
  await waitFor(
    "the spawner to start its children",
    () => (pidsOf(project).length >= 5 ? true : undefined),
    30_000,
  );
}

// One run whose spawner times out after 2 s; the two tests below read what it left.
const KINDS = ["background", "double-forked", "nohup", "ignores SIGTERM", "task shell"];
let timedOut: Promise<{ exitCode: number; pids: number[]; during: string[]; after: number[] }>;
function runTimeoutOnce(): typeof timedOut {
  timedOut ??= (async () => {
    const project = await makeProject({ "pipelines/orphans.ts": pipeline("2s") });
    try {
      const result = await project.flow(["run", "orphans", "--date", "2026-05-01"]);
      const pids = pidsOf(project);
      const text = readFileSync(join(project.dir, "alive-during-run.txt"), "utf8").trim();
      const during = text
        .slice("alive:".length)
        .split(" ")
        .filter(Boolean)
        .map((pid) => `${pid} (${KINDS[pids.indexOf(Number(pid))]})`);
      return { exitCode: result.exitCode, pids, during, after: await survivors(pids, 2000) };
    } finally {
      await project.cleanup();
    }
  })();
  return timedOut;
}

describe("background children of a bash task", () => {
  it("a timeout: once flow exits, none of the task's processes is left", async ({ expect }) => {
    const { exitCode, pids, after } = await runTimeoutOnce();
    expect(exitCode).toBe(0); // checker (all_done) is the leaf
    expect(pids).toHaveLength(5);
    expect(after).toEqual([]);
  }, 60_000);

  // Regression (found by this suite): a child whose parent already exited (`( sleep 300 & )`:
  // reparented, so no longer a descendant of the task) survived the try's timeout until flow
  // exited. Stopping a try now also finds its processes by a marker in their environment.
  it("a timeout: the task's processes are gone before the next task runs", async ({ expect }) => {
    const { during } = await runTimeoutOnce();
    expect(during, "pids alive 8 s after the timeout, while the run went on").toEqual([]);
  }, 60_000);

  it("Ctrl-C twice (SIGINT to flow run): exit 130, and none of them survives", async ({
    expect,
  }) => {
    const project = await makeProject({ "pipelines/orphans.ts": pipeline(undefined) });
    try {
      const child = project.spawn(["run", "orphans", "--date", "2026-05-01"]);
      await whenStarted(project);
      // A first Ctrl-C gives running tasks a grace period (30 s) when flow says so; a second one
      // stops them now.
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const signalled = Date.now();
      child.kill("SIGINT");
      await waitFor(
        "flow to say it stops",
        () => (/stopping|interrupted/.test(stderr) ? true : undefined),
        10_000,
      ).catch(() => undefined);
      if (/again/.test(stderr)) child.kill("SIGINT");
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(130);
      // The grace period (5 s) for the child that ignores SIGTERM, plus some slack.
      expect(Date.now() - signalled, "ms from SIGINT to exit").toBeLessThan(10_000);
      expect(await survivors(pidsOf(project), 2000)).toEqual([]);
    } finally {
      await project.cleanup();
    }
  }, 60_000);

  it("kill -9 of flow run: the shell helper's exit trap stops them within its grace period", async ({
    expect,
  }) => {
    const project = await makeProject({ "pipelines/orphans.ts": pipeline(undefined) });
    try {
      const child = project.spawn(["run", "orphans", "--date", "2026-05-01"]);
      await whenStarted(project);
      child.kill("SIGKILL");
      await child;
      // The helper sends SIGTERM, waits its grace (5 s), then SIGKILL.
      expect(await survivors(pidsOf(project), 10_000)).toEqual([]);
    } finally {
      await project.cleanup();
    }
  }, 60_000);
});
