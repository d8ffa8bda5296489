import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatRunId } from "../../../src/core/context.js";
import type { DagRun } from "../../../src/core/run.js";
import { StateFileError } from "../../../src/errors.js";
import { readRun } from "../../../src/ops/read-run.js";
import { runsPage } from "../../../src/ops/runs-page.js";
import type { Workspace } from "../../../src/ops/workspace.js";
import { FileStateReader } from "../../../src/store/file-state-reader.js";
import { FileStateStore } from "../../../src/store/file-store.js";
import { thisProcess } from "../../../src/store/lock-owner.js";
import { makeDag, instances } from "../../unit/core/dag-fixture.js";
import { makeRun } from "../../fixtures/store/runs.js";
import { useTempDirs } from "./temp-dir.js";

const tempDir = useTempDirs();

// Every path under `dir` with its bytes ("<dir>" for folders): what must not change on a read.
function snapshotTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        files.set(`${full}/`, "<dir>");
        walk(full);
      } else files.set(full, readFileSync(full).toString("base64"));
    }
  };
  walk(dir);
  return files;
}

// A run of "etl" named and dated as flow does it.
function run(type: DagRun["run_type"], iso: string, overrides: Partial<DagRun> = {}): DagRun {
  const date = new Date(iso);
  return makeRun("etl", date.toISOString(), {
    run_id: formatRunId(type, date),
    run_type: type,
    ...overrides,
  });
}

describe("FileStateReader: opening", () => {
  it("reads a missing state dir as empty and does not create it", async () => {
    const state = join(await tempDir(), "state");
    const reader = await FileStateReader.openForReading(state);
    expect(await reader.listDagIds()).toEqual([]);
    expect(await reader.listRuns("etl")).toEqual([]);
    expect(await reader.listRunRefs("etl")).toEqual([]);
    expect(await reader.getRun("etl", "manual__2026-01-01T00:00:00+00:00")).toBeUndefined();
    expect(existsSync(state)).toBe(false);
  });

  it("writes no layout marker into a state dir that has none", async () => {
    const state = await tempDir();
    await (await FileStateReader.openForReading(state)).listDagIds();
    expect(readdirSync(state)).toEqual([]);
  });

  it("refuses a state dir of another layout version, as a writer does", async () => {
    const state = await tempDir();
    await writeFile(join(state, "flow-state.json"), '{"version": 99}');
    const open = FileStateReader.openForReading(state);
    await expect(open).rejects.toBeInstanceOf(StateFileError);
    await expect(open).rejects.toThrow(/state version 99, this flow reads version 1/);
  });
});

describe("FileStateReader: listRunRefs", () => {
  it("lists refs in listRuns' order from the names, reading only the runs named otherwise", async () => {
    const state = await tempDir();
    const store = await FileStateStore.open(state);
    await store.createRun(run("scheduled", "2026-01-03T00:00:00Z"));
    await store.createRun(run("backfill", "2026-01-01T00:00:00Z"));
    await store.createRun(run("manual", "2026-01-02T00:00:00Z"));
    // A run named by hand: its logical date is only in its file.
    await store.createRun(run("manual", "2026-01-02T12:00:00Z", { run_id: "my_rerun" }));
    const reader = await FileStateReader.openForReading(state);
    const refs = await reader.listRunRefs("etl");
    expect(refs).toEqual(
      (await reader.listRuns("etl")).map(({ run_id, run_type, logical_date }) => ({
        run_id,
        run_type,
        logical_date,
      })),
    );
    expect(refs.map((ref) => ref.run_id)).toEqual([
      "backfill__2026-01-01T00:00:00+00:00",
      "manual__2026-01-02T00:00:00+00:00",
      "my_rerun",
      "scheduled__2026-01-03T00:00:00+00:00",
    ]);
  });

  it("lists a journal without its snapshot, whose reading then reports the broken pair", async () => {
    const state = await tempDir();
    const dir = join(state, "runs", "etl");
    await mkdir(dir, { recursive: true });
    const runId = "scheduled__2026-01-01T00:00:00+00:00";
    await writeFile(join(dir, `${runId}.journal`), "");
    const reader = await FileStateReader.openForReading(state);
    expect(await reader.listRunRefs("etl")).toEqual([
      { run_id: runId, run_type: "scheduled", logical_date: "2026-01-01T00:00:00.000Z" },
    ]);
    await expect(reader.getRun("etl", runId)).rejects.toThrow(/a journal without its snapshot/);
  });
});

// A state dir with one run of "etl", and a reader of it whose locks go stale after 2 s.
async function readerOfOneRun(): Promise<{
  state: string;
  runId: string;
  reader: FileStateReader;
}> {
  const state = await tempDir();
  const stored = run("manual", "2026-01-01T00:00:00Z");
  await (await FileStateStore.open(state)).createRun(stored);
  const reader = await FileStateReader.openForReading(state, { lockStaleMs: 2000 });
  return { state, runId: stored.run_id, reader };
}

describe("FileStateReader: hasLiveOwner", () => {
  it("a fresh lock dir is a live owner; a stale or missing one is not", async () => {
    const { state, runId, reader } = await readerOfOneRun();
    expect(await reader.hasLiveOwner("etl", runId)).toBe(false);
    const lock = join(state, "runs", "etl", `${runId}.lock`);
    await mkdir(lock);
    expect(await reader.hasLiveOwner("etl", runId)).toBe(true);
    const old = new Date(Date.now() - 5000);
    await utimes(lock, old, old);
    expect(await reader.hasLiveOwner("etl", runId)).toBe(false);
  });
});

describe("FileStateReader: inspectOwner", () => {
  it("names the lock's owner; last seen is the later of the lock's and the journal's mtime", async () => {
    const { state, runId, reader } = await readerOfOneRun();
    expect(await reader.inspectOwner("etl", runId)).toEqual({ live: false });

    const dir = join(state, "runs", "etl");
    const lock = join(dir, `${runId}.lock`);
    const owner = { pid: 4242, hostname: "box" };
    await mkdir(lock);
    await writeFile(join(lock, "owner"), JSON.stringify(owner));
    await writeFile(join(dir, `${runId}.journal`), "");
    const [early, late] = [new Date("2026-01-01T00:00:10Z"), new Date("2026-01-01T00:00:20Z")];
    await utimes(lock, early, early);
    await utimes(join(dir, `${runId}.journal`), late, late);
    expect(await reader.inspectOwner("etl", runId)).toEqual({ live: false, owner, lastSeen: late });
    await utimes(lock, late, new Date(late.getTime() + 5000));
    expect((await reader.inspectOwner("etl", runId)).lastSeen).toEqual(
      new Date(late.getTime() + 5000),
    );
  });
});

describe("reading a run whose owner died", () => {
  const dag = makeDag({ extract: [], load: ["extract"] }, { id: "etl" });
  const left = run("manual", "2026-01-01T00:00:00Z", {
    state: "running",
    start: "2026-01-01T00:00:00.000Z",
    owner: { pid: 4242, hostname: "box", heartbeat: "2026-01-01T00:00:00.000Z" },
    tasks: instances(dag, {
      extract: { state: "running", try_number: 1, max_tries: 1, start: "2026-01-01T00:00:00.000Z" },
    }),
  });

  async function workspaceWithLeftRun(stored: DagRun = left): Promise<Workspace> {
    const state = join(await tempDir(), "state");
    await (await FileStateStore.open(state)).createRun(stored);
    return {
      cwd: state,
      env: {},
      pipelinesDir: join(state, "no-pipelines"),
      stateDir: state,
      now: () => new Date("2026-01-01T01:00:00Z"),
    };
  }

  it("shows its try lost, the run failed, and changes no file (no lock dir either)", async () => {
    const workspace = await workspaceWithLeftRun();
    const before = snapshotTree(workspace.stateDir);
    const { runs } = await runsPage(workspace, "etl", { offset: 0, limit: 5 }, dag);
    expect(runs[0]!.state).toBe("failed");
    expect(runs[0]!.tasks.extract).toMatchObject({ state: "failed" });
    expect(runs[0]!.tasks.extract!.reason).toMatch(/^process lost: flow process 4242 on box/);
    const one = await readRun(workspace, "etl", undefined, dag);
    expect(one.tasks.load!.state).toBe("upstream_failed");
    expect(snapshotTree(workspace.stateDir)).toEqual(before);
  });

  it("shows it running while its lock is fresh", async () => {
    const workspace = await workspaceWithLeftRun();
    await mkdir(join(workspace.stateDir, "runs", "etl", `${left.run_id}.lock`));
    const { runs } = await runsPage(workspace, "etl", { offset: 0, limit: 5 }, dag);
    expect(runs).toEqual([left]);
  });

  it("ends its lost try when its lock was last refreshed, however much later one looks", async () => {
    const workspace = await workspaceWithLeftRun();
    const lock = join(workspace.stateDir, "runs", "etl", `${left.run_id}.lock`);
    await mkdir(lock);
    const refreshed = new Date("2026-01-01T00:00:20Z");
    await utimes(lock, refreshed, refreshed);
    const first = await readRun(workspace, "etl", undefined, dag);
    expect(first.lost).toEqual({ at: refreshed.toISOString(), tasks: ["extract"] });
    expect(first.tasks.extract).toMatchObject({
      end: refreshed.toISOString(),
      duration_ms: 20_000,
    });
    const later = { ...workspace, now: () => new Date("2026-01-01T05:00:00Z") };
    expect(await readRun(later, "etl", undefined, dag)).toEqual(first);
  });

  // Containers that share a host name (and a kernel) but not a PID namespace: the owner's pid
  // means nothing here, so its fresh lock decides. Its run's owner field names this host.
  it.runIf(existsSync("/proc/self/ns/pid"))(
    "shows it running while its fresh lock names an owner in another PID namespace",
    async () => {
      const deadHere = spawnSync("true").pid!;
      const here = { ...left.owner!, pid: deadHere, hostname: hostname() };
      const workspace = await workspaceWithLeftRun({ ...left, owner: here });
      const lock = join(workspace.stateDir, "runs", "etl", `${left.run_id}.lock`);
      const me = thisProcess();
      await mkdir(lock);
      const elsewhere = { ...me, pid: deadHere, pid_ns: me.pid_ns! + 1 };
      await writeFile(join(lock, "owner"), JSON.stringify(elsewhere));
      const shown = await readRun(workspace, "etl", undefined, dag);
      expect(shown.state).toBe("running");
      expect(shown.lost).toBeUndefined();
      // A writer is refused with the same judgement: busy, not "has exited".
      const store = await FileStateStore.open(workspace.stateDir);
      await expect(store.openRun("etl", left.run_id)).rejects.toThrow(
        `is being run by another flow process (pid ${deadHere})`,
      );

      // The same owner in our namespace has exited: lost at once, though its lock is fresh.
      await writeFile(join(lock, "owner"), JSON.stringify({ ...elsewhere, pid_ns: me.pid_ns }));
      expect((await readRun(workspace, "etl", undefined, dag)).lost?.tasks).toEqual(["extract"]);
    },
  );

  it("shows it as stored when the DAG does not load (no pipelines)", async () => {
    const workspace = await workspaceWithLeftRun();
    const { runs } = await runsPage(workspace, "etl", { offset: 0, limit: 5 });
    expect(runs).toEqual([left]);
  });
});
