import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";
import { isAlive, waitFor } from "./processes.js";

// `slow` sleeps on its first try only, so a resumed run finishes quickly.
const PIPELINE = `
import { dag, bash } from "flow";
const slow = bash("slow", '[ "$FLOW_TRY_NUMBER" = 1 ] && sleep 30; echo "try $FLOW_TRY_NUMBER done"', { retries: 1, retryDelay: 0 });
const after = bash("after", "echo after", { upstream: [slow] });
export default dag({ id: "lost", tasks: [slow, after] });
`;

const RUN_ID = "manual__2026-04-01T00:00:00+00:00";
const env = { FLOW_LOCK_STALE_MS: "2000" };

interface StoredTask {
  state: string;
  try_number: number;
  pid: number | null;
  reason: string | null;
}

let project: Project;
afterEach(async () => project?.cleanup());

async function status(): Promise<{ state: string; tasks: Record<string, StoredTask> }> {
  const result = await project.flow(["status", "lost", "--json"], { env });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout).runs[0];
}

// The stored task instance with fields the status contract leaves out (pid, reason).
async function storedTask(taskId: string): Promise<StoredTask> {
  const journal = await project.read(`state/runs/lost/${RUN_ID}.journal`).catch(() => "");
  let latest: StoredTask | undefined;
  for (const line of journal.split("\n")) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { task?: StoredTask & { task_id: string } };
    if (entry.task?.task_id === taskId) latest = entry.task;
  }
  if (latest) return latest;
  const snapshot = JSON.parse(await project.read(`state/runs/lost/${RUN_ID}.json`));
  return snapshot.run.tasks[taskId];
}

describe("a flow process that dies", () => {
  it("kill -9: the lost try counts as failed, its processes are gone, and the run resumes", async () => {
    project = await makeProject({ "pipelines/lost.ts": PIPELINE });
    const child = project.spawn(["run", "lost", "--date", "2026-04-01"], { env });
    const taskPid = await waitFor("the task to start", async () => {
      const task = await storedTask("slow");
      return task.state === "running" && task.pid ? task.pid : undefined;
    });
    child.kill("SIGKILL");
    await child;
    await waitFor(
      "the task's processes to be gone",
      async () => (isAlive(taskPid) ? undefined : true),
      5_000,
    );

    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the dead process's lock goes stale
    const recovered = await status();
    expect(recovered.state).toBe("queued");
    expect(recovered.tasks.slow).toMatchObject({ state: "up_for_retry", try_number: 1 });
    // `flow status` only shows the recovery (reading never writes): its JSON carries the reason.
    expect(recovered.tasks.slow!.reason).toMatch(
      /^process lost: flow process \d+ on .* ended while the try was running$/,
    );

    const resumed = await project.flow(["run", "lost", "--run", RUN_ID], { env });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const done = await status();
    expect(done.state).toBe("success");
    expect(done.tasks.slow).toMatchObject({ state: "success", try_number: 2 });
    // Its try 1 was queued in the spawner to follow slow when flow died: it may have started,
    // so it ran as try 2, no retry spent (README, "Task kinds").
    expect(done.tasks.after).toMatchObject({ state: "success", try_number: 2 });
    expect((await project.flow(["logs", "lost", "slow"])).stdout).toContain("try 2 done");
  });
});

describe("a flow process that died on this host, its lock not stale yet", () => {
  it("status shows its lost try at once; a clear says the process has exited and writes nothing", async () => {
    project = await makeProject({ "pipelines/lost.ts": PIPELINE });
    // A lock that stays fresh for a minute: only the owner's exit can tell it is dead.
    const fresh = { FLOW_LOCK_STALE_MS: "60000" };
    const child = project.spawn(["run", "lost", "--date", "2026-04-01"], { env: fresh });
    await waitFor("the task to start", async () => {
      const task = await storedTask("slow");
      return task.state === "running" && task.pid ? task.pid : undefined;
    });
    child.kill("SIGKILL");
    await child;
    const result = await project.flow(["status", "lost", "--json"], { env: fresh });
    const shown = JSON.parse(result.stdout).runs[0];
    expect(shown.state).toBe("queued");
    expect(shown.tasks.slow).toMatchObject({ state: "up_for_retry", try_number: 1 });
    const before = await project.snapshotState();
    const clear = await project.flow(["clear", "lost", "--run", RUN_ID, "--yes"], { env: fresh });
    expect(clear.exitCode).toBe(4);
    expect(clear.stderr).toMatch(
      new RegExp(
        `^flow: run "${RUN_ID.replace(/[+.]/g, "\\$&")}" of dag "lost" is still locked by flow process \\d+, which has exited\n`,
      ),
    );
    expect(await project.snapshotState()).toEqual(before);
  });
});

describe("Ctrl-C", () => {
  it("stops the running tasks, leaves them to run again, exits 130, and the run resumes without spending a retry", async () => {
    project = await makeProject({
      "pipelines/lost.ts": PIPELINE.replace("retries: 1", "retries: 0"),
    });
    const child = project.spawn(["run", "lost", "--date", "2026-04-01", "--grace", "0"], { env });
    const taskPid = await waitFor("the task to start", async () => {
      const task = await storedTask("slow");
      return task.state === "running" && task.pid ? task.pid : undefined;
    });
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain("flow: interrupted");
    await waitFor(
      "the task's processes to be gone",
      async () => (isAlive(taskPid) ? undefined : true),
      5_000,
    );
    const stopped = await status();
    expect(stopped.state).toBe("queued");
    expect(stopped.tasks.slow).toMatchObject({ state: "none", try_number: 1 });

    const resumed = await project.flow(["run", "lost", "--run", RUN_ID], { env });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const done = await status();
    expect(done.state).toBe("success");
    expect(done.tasks.slow).toMatchObject({ state: "success", try_number: 2 });
  });
});

describe("a graceful stop", () => {
  it("the first Ctrl-C starts nothing new and lets running tasks finish; the run resumes with the rest", async () => {
    project = await makeProject({
      "pipelines/lost.ts": `
import { dag, bash } from "flow";
const first = bash("first", "sleep 1; echo first >> done.txt");
const second = bash("second", "echo second >> done.txt", { upstream: [first] });
export default dag({ id: "lost", tasks: [first, second] });
`,
    });
    const child = project.spawn(["run", "lost", "--date", "2026-04-01"], { env });
    await waitFor("the task to start", async () =>
      (await storedTask("first")).state === "running" ? true : undefined,
    );
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain(
      "flow: stopping: running tasks have 30s to finish (Ctrl-C again stops them now)",
    );
    expect(result.stderr).toContain(
      "flow: interrupted: running tasks finished; the rest runs when you resume",
    );
    expect(await project.read("done.txt")).toBe("first\n");
    const stopped = await status();
    expect(stopped.state).toBe("queued");
    expect(stopped.tasks.first).toMatchObject({ state: "success", try_number: 1 });
    expect(stopped.tasks.second).toMatchObject({ state: "none", try_number: 0 });

    expect((await project.flow(["run", "lost", "--run", RUN_ID], { env })).exitCode).toBe(0);
    expect(await project.read("done.txt")).toBe("first\nsecond\n");
    expect((await status()).state).toBe("success");
  });
});
