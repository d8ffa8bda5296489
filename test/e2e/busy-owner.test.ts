import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { ResultPromise } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, statusJson, type Project } from "./harness.js";
import { isAlive, waitFor as pollFor } from "./processes.js";

// A function task that blocks the event loop (a sync loop, as execSync or a heavy parse would) on
// its first try only: proper-lockfile cannot refresh the owner's locks meanwhile.
function hogPipeline(id: string, schedule = ""): string {
  return `
import { appendFileSync, existsSync } from "node:fs";
import { dag, fn } from "flow";
const hog = fn("hog", async () => {
  const first = !existsSync(process.env.MARK_FILE!);
  appendFileSync(process.env.MARK_FILE!, "start\\n");
  const end = Date.now() + (first ? Number(process.env.BLOCK_MS) : 0);
  while (Date.now() < end) {}
  return "x";
}, { retries: 1, retryDelay: 0 });
export default dag({ id: "${id}", ${schedule} tasks: [hog] });
`;
}

const RUN_ID = "manual__2026-04-01T00:00:00+00:00";
const STALE_MS = 2_000;

let project: Project | undefined;
const children: ResultPromise[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await project?.cleanup();
  project = undefined;
});

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, ms?: number) =>
  pollFor(what, probe, ms, 50);

// Resolves once the lock dir has not been refreshed for longer than `staleMs`.
function lockGoneStale(lockDir: string, staleMs: number): Promise<true> {
  return waitFor(`${lockDir} to go stale`, async () =>
    Date.now() - (await stat(lockDir)).mtimeMs > staleMs + 300 ? true : undefined,
  );
}

function env(p: Project, blockMs: number, extra: Record<string, string> = {}) {
  return {
    MARK_FILE: join(p.dir, "started.txt"),
    BLOCK_MS: String(blockMs),
    FLOW_LOCK_STALE_MS: String(STALE_MS),
    ...extra,
  };
}

const starts = async (p: Project): Promise<number> =>
  (await p.read("started.txt").catch(() => "")).split("\n").filter(Boolean).length;

// Starts `flow run hog` and waits until the blocking try has started and its run lock is stale.
// (Wrapped: an async function returning the child itself would wait for it to exit.)
async function startBlockedRun(p: Project, blockMs: number): Promise<{ child: ResultPromise }> {
  const child = p.spawn(["run", "hog", "--date", "2026-04-01"], { env: env(p, blockMs) });
  children.push(child);
  await waitFor("the blocking try to start", async () =>
    (await starts(p)) > 0 ? true : undefined,
  );
  await lockGoneStale(join(p.stateDir, "runs/hog", `${RUN_ID}.lock`), STALE_MS);
  return { child };
}

describe("a live flow process whose event loop is blocked past the lock's stale time", () => {
  it("keeps its run: clear and run --run refuse (exit 4), status does not call the try lost", async () => {
    const p = (project = await makeProject({ "pipelines/hog.ts": hogPipeline("hog") }));
    const { child } = await startBlockedRun(p, 9_000);
    const owner = child.pid!;

    // With the same stale time as the owner's: the lock is stale by its mtime.
    const shown = await p.flow(["status", "hog", "--json"], { env: env(p, 0) });
    const seen = JSON.parse(shown.stdout) as Awaited<ReturnType<typeof statusJson>>;
    expect(seen.runs[0]).toMatchObject({ state: "running", tasks: { hog: { state: "running" } } });
    const clear = await p.flow(["clear", "hog", "--run", RUN_ID, "--yes"], { env: env(p, 0) });
    expect(clear.exitCode).toBe(4);
    expect(clear.stderr.split("\n")[0]).toBe(
      `flow: run "${RUN_ID}" of dag "hog" is being run by another flow process (pid ${owner})`,
    );
    const second = await p.flow(["run", "hog", "--run", RUN_ID], { env: env(p, 0) });
    expect(second.exitCode).toBe(4);
    expect(
      child.exitCode,
      "the try must still be blocked for this test to mean anything",
    ).toBeNull();

    const done = await child;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect((await statusJson(p, "hog")).runs[0]).toMatchObject({
      state: "success",
      tasks: { hog: { state: "success", try_number: 1 } },
    });
    expect(await starts(p)).toBe(1);
  });

  it("kill -9 of the blocked owner: its run is taken over once the lock is stale, as before", async () => {
    const p = (project = await makeProject({ "pipelines/hog.ts": hogPipeline("hog") }));
    const { child } = await startBlockedRun(p, 30_000);
    child.kill("SIGKILL");
    await child;
    await waitFor("the owner to be gone", async () => (isAlive(child.pid!) ? undefined : true));

    const resumed = await p.flow(["run", "hog", "--run", RUN_ID], { env: env(p, 0) });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect((await statusJson(p, "hog")).runs[0]).toMatchObject({
      state: "success",
      tasks: { hog: { state: "success", try_number: 2 } },
    });
  });

  it("a dead owner whose pid now names another live process does not block", async () => {
    const p = (project = await makeProject({ "pipelines/hog.ts": hogPipeline("hog") }));
    const { child } = await startBlockedRun(p, 30_000);
    child.kill("SIGKILL");
    await child;
    // The pid is reused: the lock's owner file names a live process (this test runner) that
    // started at another time than the owner did.
    const lock = join(p.stateDir, "runs/hog", `${RUN_ID}.lock`);
    const owner = JSON.parse(await readFile(join(lock, "owner"), "utf8"));
    expect(owner).toMatchObject({ pid: child.pid, hostname: hostname() });
    await writeFile(join(lock, "owner"), JSON.stringify({ ...owner, pid: process.pid }));
    const old = new Date(Date.now() - 5_000);
    await utimes(lock, old, old);

    const shown = await p.flow(["status", "hog", "--json"], { env: env(p, 0) });
    const status = JSON.parse(shown.stdout) as Awaited<ReturnType<typeof statusJson>>;
    expect(status.runs[0]!.tasks.hog).toMatchObject({ state: "up_for_retry", try_number: 1 });
    const resumed = await p.flow(["run", "hog", "--run", RUN_ID], { env: env(p, 0) });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect((await statusJson(p, "hog")).runs[0]!.state).toBe("success");
  });

  it("an owner that wakes up to find its lock taken (by another host) stops with one line and writes nothing", async () => {
    const p = (project = await makeProject({ "pipelines/hog.ts": hogPipeline("hog") }));
    const { child } = await startBlockedRun(p, 5_000);
    // What a flow process on another host leaves when it takes the stale lock over.
    const lock = join(p.stateDir, "runs/hog", `${RUN_ID}.lock`);
    await rm(lock, { recursive: true, force: true });
    await mkdir(lock);
    await writeFile(join(lock, "owner"), JSON.stringify({ pid: 1, hostname: "elsewhere" }));
    const runFiles = async () => {
      const dir = join(p.stateDir, "runs/hog");
      const names = (await readdir(dir)).filter((name) => !name.endsWith(".lock")).sort();
      return Promise.all(
        names.map(async (name) => [name, await readFile(join(dir, name), "utf8")]),
      );
    };
    const before = await runFiles();
    const refresh = setInterval(
      () => void utimes(lock, new Date(), new Date()).catch(() => {}),
      500,
    );
    const done = await child.finally(() => clearInterval(refresh));

    expect(done.exitCode).toBe(4);
    expect(done.stderr).toMatch(
      new RegExp(
        `^flow: lost the lock on run "${RUN_ID.replace(/\+/g, "\\+")}" of dag "hog" \\(.*\\); stopped writing to it$`,
        "m",
      ),
    );
    expect(done.stdout).not.toContain("success");
    expect(await runFiles()).toEqual(before);
    expect(JSON.parse(await readFile(join(lock, "owner"), "utf8")).hostname).toBe("elsewhere");
  });
});

describe("a scheduler daemon whose event loop is blocked past its lock's 10 s", () => {
  it("is still the one scheduler: --once and status see it running, a second daemon exits 4", async () => {
    const p = (project = await makeProject({
      "pipelines/hog.ts": hogPipeline(
        "hog",
        'schedule: "@daily", start: "2026-01-01", catchup: false,',
      ),
    }));
    const daemonEnv = env(p, 16_000, { FLOW_NOW: "2026-01-04T06:00:00Z" });
    const daemon = p.spawn(["scheduler"], { env: daemonEnv });
    children.push(daemon);
    await waitFor("the blocking try to start", async () =>
      (await starts(p)) > 0 ? true : undefined,
    );
    await lockGoneStale(join(p.stateDir, "scheduler.lock"), 10_000);

    const once = await p.flow(["scheduler", "--once"], { env: daemonEnv });
    expect(once.exitCode).toBe(0);
    expect(once.stderr).toBe(
      `flow: a scheduler is already running for state dir ${p.stateDir} (pid ${daemon.pid})`,
    );
    expect(once.stdout).not.toContain("recovered");
    const status = await p.flow(["scheduler", "status"]);
    expect(status.exitCode, status.stdout).toBe(0);
    expect(daemon.exitCode, "the daemon must still be blocked").toBeNull();

    await waitFor("the run to end", async () =>
      (await statusJson(p, "hog")).runs[0]?.state === "success" ? true : undefined,
    );
    const second = await p.flow(["scheduler"], { env: daemonEnv });
    expect(second.exitCode).toBe(4);
    daemon.kill("SIGTERM");
    const stopped = await daemon;
    expect(stopped.exitCode, String(stopped.stderr)).toBe(0);
    expect(`${stopped.stdout}${stopped.stderr}`).not.toContain("lost the scheduler lock");
    expect(await starts(p)).toBe(1);
  }, 60_000);

  it("a daemon whose lock is taken away exits 4", async () => {
    const p = (project = await makeProject({
      "pipelines/hog.ts": hogPipeline(
        "hog",
        'schedule: "@daily", start: "2026-01-01", catchup: false,',
      ),
    }));
    const daemon = p.spawn(["scheduler"], { env: env(p, 0, { FLOW_NOW: "2026-01-04T06:00:00Z" }) });
    children.push(daemon);
    await waitFor("the daemon's run", async () =>
      (await statusJson(p, "hog")).runs[0]?.state === "success" ? true : undefined,
    );
    await rm(join(p.stateDir, "scheduler.lock"), { recursive: true, force: true });
    const stopped = await daemon;
    expect(stopped.exitCode).toBe(4);
    expect(stopped.stderr).toMatch(/^flow: lost the scheduler lock .*$/m);
  }, 30_000);
});
