import { once } from "node:events";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LockError } from "../../../src/errors.js";
import { FileStateStore } from "../../../src/store/file-store.js";
import { makeRun } from "../../fixtures/store/runs.js";
import { runFixture, spawnFixture } from "./run-fixture.js";
import { useTempDirs } from "./temp-dir.js";

const tempDir = useTempDirs();
const WORKERS = 4;
const RUNS = 25;
const SAVES = 3;

// Waits until a child prints "held", i.e. it owns the run.
async function waitUntilHeld(child: ReturnType<typeof spawnFixture>): Promise<void> {
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await Promise.race([
    new Promise<void>((resolve) =>
      child.stdout?.on("data", () => out.includes("held") && resolve()),
    ),
    once(child, "exit").then(() => {
      throw new Error(`hold-run exited before holding the run: ${err}`);
    }),
  ]);
}

describe("FileStateStore: several processes at once", () => {
  it(`${WORKERS} processes creating the same ${RUNS} runs and saving into each: no duplicate, no lost update`, async () => {
    const state = join(await tempDir(), "state");
    const outputs = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) =>
        runFixture("create-and-save.ts", [
          state,
          "etl",
          `worker${i}`,
          String(RUNS),
          String(SAVES),
          String(i * Math.floor(RUNS / WORKERS)),
        ]),
      ),
    );
    const reports = outputs.map(
      (out) => JSON.parse(out) as { created: string[]; duplicates: number },
    );

    // Every run id was created by exactly one worker; the others were told it exists.
    const created = reports.flatMap((report) => report.created).sort();
    expect(created).toHaveLength(RUNS);
    expect(new Set(created).size).toBe(RUNS);
    expect(reports.reduce((sum, report) => sum + report.duplicates, 0)).toBe(RUNS * (WORKERS - 1));

    // Every worker's last save landed in every run.
    const store = await FileStateStore.open(state);
    const runs = await store.listRuns("etl");
    expect(runs).toHaveLength(RUNS);
    for (const run of runs) {
      expect(Object.keys(run.tasks).sort()).toEqual(
        Array.from({ length: WORKERS }, (_, i) => `worker${i}`),
      );
      for (const task of Object.values(run.tasks)) {
        expect([task.state, task.try_number]).toEqual(["success", SAVES]);
      }
    }
  });

  it("refuses openRun while another live process owns the run, naming its pid", async () => {
    const state = join(await tempDir(), "state");
    const store = await FileStateStore.open(state);
    const run = makeRun("etl", "2026-01-01T00:00:00+00:00");
    await store.createRun(run);
    const holder = spawnFixture("hold-run.ts", [state, "etl", run.run_id, "10000"]);
    try {
      await waitUntilHeld(holder);
      const refused = store.openRun("etl", run.run_id);
      await expect(refused).rejects.toBeInstanceOf(LockError);
      await expect(refused).rejects.toThrow(
        `run "${run.run_id}" of dag "etl" is being run by another flow process (pid ${holder.pid})`,
      );
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("takes over a run whose owner was killed with -9 once its lock goes stale, keeping its saves", async () => {
    const state = join(await tempDir(), "state");
    const staleMs = 2000; // proper-lockfile's minimum
    const store = await FileStateStore.open(state, { lockStaleMs: staleMs });
    const run = makeRun("etl", "2026-01-01T00:00:00+00:00");
    await store.createRun(run);
    const holder = spawnFixture("hold-run.ts", [state, "etl", run.run_id, String(staleMs)]);
    await waitUntilHeld(holder);
    holder.kill("SIGKILL");
    await once(holder, "exit");

    // Right after the kill the lock still looks fresh; it is refused until it goes stale.
    await expect(store.openRun("etl", run.run_id)).rejects.toBeInstanceOf(LockError);
    const killedAt = Date.now();
    let writer;
    while (writer === undefined) {
      writer = await store.openRun("etl", run.run_id).catch((error: unknown) => {
        if (!(error instanceof LockError) || Date.now() - killedAt > 3 * staleMs) throw error;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100));
      });
    }
    expect(writer.run.state).toBe("running");
    expect(writer.run.owner?.pid).toBe(holder.pid);
    expect(Object.keys(writer.run.tasks)).toEqual(["extract"]);
    await writer.close();
  });
});
