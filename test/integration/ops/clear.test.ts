import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DagRun } from "../../../src/core/run.js";
import { newRun } from "../../../src/core/transitions.js";
import { LockError } from "../../../src/errors.js";
import type { LoadedDag } from "../../../src/loader/load-pipelines.js";
import { applyClear, PlanChangedError, previewClear } from "../../../src/ops/clear.js";
import { markTask } from "../../../src/ops/mark.js";
import { openStore } from "../../../src/ops/open-store.js";
import type { Workspace } from "../../../src/ops/workspace.js";
import { instances, makeDag } from "../../unit/core/dag-fixture.js";
import { useTempDirs } from "../store/temp-dir.js";

const NOW = new Date("2026-03-01T00:00:00Z");
const tempDir = useTempDirs();
const dag = makeDag({ extract: [], transform: ["extract"], load: ["transform"] }, { id: "etl" });
const loaded: LoadedDag = {
  dag,
  file: "/pipelines/etl.ts",
  tasks: new Map(),
  callbacks: { run: {}, tasks: new Map() },
};
const ONLY_FAILED = { selection: { onlyFailed: true } };

function workspaceIn(dir: string): Workspace {
  return { cwd: dir, env: {}, pipelinesDir: join(dir, "pipelines"), stateDir: dir, now: () => NOW };
}

// A failed run of etl on 2026-01-<day>: extract succeeded, transform failed, load never ran.
function failedRun(day: number): DagRun {
  const date = new Date(Date.UTC(2026, 0, day));
  const run = newRun({
    dag,
    runId: `scheduled__2026-01-0${day}T00:00:00+00:00`,
    runType: "scheduled",
    logicalDate: date,
    dataIntervalStart: date,
    dataIntervalEnd: new Date(date.getTime() + 86_400_000),
    queuedAt: date,
    params: {},
  });
  const tasks = instances(dag, {
    extract: { state: "success", try_number: 1 },
    transform: { state: "failed", try_number: 1, reason: "exit code 1" },
    load: { state: "upstream_failed" },
  });
  return { ...run, state: "failed", tasks };
}

async function stateWith(...runs: DagRun[]): Promise<Workspace> {
  const workspace = workspaceIn(await tempDir());
  const store = await openStore(workspace);
  for (const run of runs) await store.createRun(run);
  return workspace;
}

// Every file under the state dir with its content: what "nothing changed" compares.
async function snapshotOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path] = await readFile(path, "utf8");
  }
  return files;
}

describe("ops clear: preview, then apply exactly what was previewed", () => {
  it("previews without writing, and applies the previewed plan", async () => {
    const workspace = await stateWith(failedRun(1), failedRun(2));
    const before = await snapshotOf(workspace.stateDir);
    const plan = await previewClear(workspace, loaded, ONLY_FAILED);
    expect(plan.entries.map((e) => [e.run.run_id, e.taskIds])).toEqual([
      ["scheduled__2026-01-01T00:00:00+00:00", ["transform", "load"]],
      ["scheduled__2026-01-02T00:00:00+00:00", ["transform", "load"]],
    ]);
    expect(plan.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(await snapshotOf(workspace.stateDir)).toEqual(before);

    const result = await applyClear(workspace, loaded, ONLY_FAILED, {
      expected: plan.fingerprint,
    });
    expect(result.status).toBe("cleared");
    const runs = await (await openStore(workspace)).listRuns("etl");
    expect(
      runs.map((run) => [run.state, run.tasks.transform!.state, run.tasks.load!.state]),
    ).toEqual([
      ["queued", "none", "none"],
      ["queued", "none", "none"],
    ]);
  });

  it("refuses a plan that changed since the preview, and changes nothing", async () => {
    const workspace = await stateWith(failedRun(1), failedRun(2));
    const plan = await previewClear(workspace, loaded, ONLY_FAILED);
    await markTask(workspace, loaded, {
      runId: "scheduled__2026-01-02T00:00:00+00:00",
      taskId: "transform",
      state: "success",
    });
    const before = await snapshotOf(workspace.stateDir);
    await expect(
      applyClear(workspace, loaded, ONLY_FAILED, { expected: plan.fingerprint }),
    ).rejects.toThrow(PlanChangedError);
    expect(await snapshotOf(workspace.stateDir)).toEqual(before);
  });

  it("a declined plan and a run held by a live process both leave every run as it was", async () => {
    const workspace = await stateWith(failedRun(1), failedRun(2));
    const before = await snapshotOf(workspace.stateDir);
    const declined = await applyClear(workspace, loaded, ONLY_FAILED, { approve: () => false });
    expect(declined.status).toBe("declined");
    expect(await snapshotOf(workspace.stateDir)).toEqual(before);

    const holder = await (
      await openStore(workspace)
    ).openRun("etl", "scheduled__2026-01-02T00:00:00+00:00");
    try {
      await expect(applyClear(workspace, loaded, ONLY_FAILED, {})).rejects.toThrow(LockError);
      const runs = await (await openStore(workspace)).listRuns("etl");
      expect(runs.map((run) => run.state)).toEqual(["failed", "failed"]);
    } finally {
      await holder.close();
    }
  });

  it("a state dir that does not exist previews as empty and is not created", async () => {
    const workspace = workspaceIn(join(await tempDir(), "state"));
    const plan = await previewClear(workspace, loaded, ONLY_FAILED);
    expect(plan.entries).toEqual([]);
    await expect(readdir(workspace.stateDir)).rejects.toThrow(/ENOENT/);
  });

  it("previews a run whose process died as the apply will recover it, so its fingerprint applies", async () => {
    const dead: DagRun = {
      ...failedRun(3),
      state: "running",
      owner: { pid: 999_999, hostname: "gone", heartbeat: "2026-01-03T00:00:00.000Z" },
      tasks: instances(dag, {
        extract: { state: "success", try_number: 1 },
        transform: { state: "running", try_number: 1, start: "2026-01-03T00:00:00.000Z" },
      }),
    };
    const workspace = await stateWith(dead);
    const before = await snapshotOf(workspace.stateDir);
    const plan = await previewClear(workspace, loaded, { selection: { onlyFailed: true } });
    // The lost try counts as failed, and load, which can no longer run, as upstream_failed.
    expect(plan.entries.map((e) => e.taskIds)).toEqual([["transform", "load"]]);
    expect(plan.entries[0]!.run.tasks.transform!.reason).toMatch(/^process lost: /);
    expect(await snapshotOf(workspace.stateDir)).toEqual(before);
    const result = await applyClear(workspace, loaded, ONLY_FAILED, { expected: plan.fingerprint });
    expect(result.status).toBe("cleared");
  });

  it("a preview refuses a run a live process executes, as the apply would", async () => {
    const workspace = await stateWith(failedRun(1));
    const holder = await (
      await openStore(workspace)
    ).openRun("etl", "scheduled__2026-01-01T00:00:00+00:00");
    try {
      // The holder executes it: the run says running, its lock is live.
      const { tasks: _tasks, ...fields } = holder.run;
      holder.saveRun({ ...fields, state: "running" });
      await expect(previewClear(workspace, loaded, ONLY_FAILED)).rejects.toThrow(LockError);
    } finally {
      await holder.close();
    }
  });
});
