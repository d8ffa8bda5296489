import { spawnSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotTree } from "../fault/fault-harness.js";
import { FLOW_BIN, makeProject, type Project } from "./harness.js";
import { isAlive, waitFor } from "./processes.js";

// Reading never writes: status, tree, list, logs and next work as a user who cannot write the
// state dir (root-owned, dirs 755, files 644), leave it byte for byte the same, and show the
// try of a run whose flow process died as lost without recording it. Root ignores file modes,
// so flow runs as `nobody` (uid 65534); only root can switch to it, so as another user this file
// is skipped (CI runs as root).
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

const PIPELINE = `
import { dag, bash } from "flow";
// slow sleeps only in the run of 04-01: that is the run whose flow process is killed.
const slow = bash("slow", 'echo "slow started"; if [ "$FLOW_DS" = 2026-04-01 ]; then sleep 30; fi');
const after = bash("after", "echo after", { upstream: [slow] });
export default dag({ id: "lost", schedule: "@daily", start: "2026-03-01", tasks: [slow, after] });
`;
const LOST_RUN = "manual__2026-04-01T00:00:00+00:00";
const env = { FLOW_LOCK_STALE_MS: "2000" };

let project: Project;
let before: Map<string, string>;

// The pid of `slow` once the journal of the lost run says it is running.
async function runningSlowPid(): Promise<number | undefined> {
  const journal = await project.read(`state/runs/lost/${LOST_RUN}.journal`);
  let pid: number | undefined;
  for (const line of journal.split("\n").filter(Boolean)) {
    const task = (JSON.parse(line) as { task?: { task_id: string; state: string; pid: number } })
      .task;
    if (task?.task_id === "slow") pid = task.state === "running" ? task.pid : undefined;
  }
  return pid;
}

// Runs the built flow as `nobody` in the project.
function flowAsNobody(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [FLOW_BIN, ...args], {
    cwd: project.dir,
    uid: NOBODY,
    gid: NOBODY,
    env: {
      PATH: process.env.PATH,
      HOME: "/nonexistent",
      FORCE_COLOR: "0",
      NO_COLOR: "1",
      // Root's compile cache, which nobody may read but not write.
      FLOW_CACHE_DIR: join(project.dir, ".flow-cache"),
      ...env,
    },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!isRoot)("a state dir the user can only read (as nobody)", () => {
  beforeAll(async () => {
    project = await makeProject({ "pipelines/lost.ts": PIPELINE });
    const done = await project.flow(["run", "lost", "--date", "2026-03-31"], { env });
    expect(done.exitCode, done.stderr).toBe(0);
    // A run whose flow process dies (kill -9) while slow runs, as test/e2e/recovery.test.ts.
    const child = project.spawn(["run", "lost", "--date", "2026-04-01"], { env });
    const taskPid = await waitFor("slow to start", runningSlowPid);
    // Its pid is recorded as soon as its process exists, which may be before it has printed:
    // `flow logs` below shows what it printed, so kill once it has.
    const log = `state/logs/lost/${LOST_RUN}/slow.1.log`;
    await waitFor("slow's first line", async () =>
      (await project.read(log)).includes("slow started") ? true : undefined,
    );
    child.kill("SIGKILL");
    await child;
    await waitFor("slow's processes to be gone", async () => (isAlive(taskPid) ? undefined : true));
    // Its lock is gone (as if stale): the run still says running, no live process owns it.
    rmSync(join(project.stateDir, "runs", "lost", `${LOST_RUN}.lock`), {
      recursive: true,
      force: true,
    });
    // Root's project, readable by all, writable by root alone.
    chmodSync(project.dir, 0o755);
    const chmod = spawnSync("chmod", ["-R", "u+rwX,go+rX,go-w", project.dir]);
    expect(chmod.status).toBe(0);
    before = snapshotTree(project.stateDir);
  }, 60_000);
  afterAll(async () => project?.cleanup());

  // Each command exits 0, says the lost try failed where it shows states, and writes nothing.
  it.each([
    ["status", ["status", "lost"], /slow\s.*failed/],
    ["status --json", ["status", "lost", "--json"], /"state": "failed"/],
    ["tree", ["tree", "lost"], /lost {2}manual__2026-04-01T00:00:00\+00:00 {2}failed/],
    ["tree --runs 5", ["tree", "lost", "--runs", "5"], /slow +✔ +✘\n└── after +✔ +↑/],
    ["list", ["list"], /manual__2026-04-01T00:00:00\+00:00 │ .*failed/],
    ["logs", ["logs", "lost", "slow"], /^slow started$/m],
    ["next", ["next", "lost"], /lost {2}@daily/],
    ["clear --dry-run", ["clear", "lost", "--dry-run"], /dry run: would clear .*nothing changed/],
    [
      "backfill --dry-run",
      ["backfill", "lost", "--start", "2026-03-30", "--dry-run"],
      /\(dry run: nothing written\)/,
    ],
  ])("%s: exit 0, the lost try shown failed, nothing written", (_name, args, shown) => {
    const result = flowAsNobody(args);
    const what = `flow ${args.join(" ")}: ${result.stderr}`;
    expect(result.status, what).toBe(0);
    expect(result.stdout, what).toMatch(shown);
    expect(snapshotTree(project.stateDir)).toEqual(before);
  });

  it("status --json shows the lost try as the next writer will record it", () => {
    const result = flowAsNobody(["status", "lost", "--json"]);
    const runs = JSON.parse(result.stdout).runs as {
      run_id: string;
      state: string;
      tasks: Record<string, { state: string; reason: string | null }>;
    }[];
    const lost = runs.find((run) => run.run_id === LOST_RUN)!;
    expect(lost.state).toBe("failed");
    expect(lost.tasks.slow!.state).toBe("failed");
    expect(lost.tasks.slow!.reason).toMatch(/^process lost: flow process \d+ on .* ended while/);
    expect(lost.tasks.after!.state).toBe("upstream_failed");
    // On disk the run still says running: only a command that writes records the recovery.
    const stored = [...before.keys()].filter((path) => path.includes(LOST_RUN));
    expect(stored.some((path) => path.endsWith(".journal"))).toBe(true);
    expect(snapshotTree(project.stateDir)).toEqual(before);
  });
});

if (!isRoot) {
  console.log("read-only e2e skipped: only root can run flow as nobody (CI runs as root)");
}
