import { describe, expect, it } from "vitest";
import type { DagRun } from "../../../src/core/run.js";
import { showLostTries } from "../../../src/ops/lost-tries-view.js";
import { MemoryStateStore } from "../../../src/store/memory-store.js";
import { makeDag, instances } from "../core/dag-fixture.js";
import { realRun } from "./runs-fixture.js";

const dag = makeDag({ extract: [], load: ["extract"] }, { id: "etl" });
const AT = new Date("2026-01-01T01:00:00.000Z");
const OWNER = { pid: 4242, hostname: "box", heartbeat: "2026-01-01T00:00:00.000Z" };

// A run its owner left running: extract running (its only try), load waiting.
function leftRunning(): DagRun {
  return realRun("manual", "2026-01-01T00:00:00Z", {
    state: "running",
    start: "2026-01-01T00:00:00.000Z",
    owner: OWNER,
    tasks: instances(dag, {
      extract: { state: "running", try_number: 1, max_tries: 1, start: "2026-01-01T00:00:00.000Z" },
    }),
  });
}

async function storeWith(run: DagRun): Promise<MemoryStateStore> {
  const store = new MemoryStateStore();
  await store.createRun(run);
  return store;
}

describe("showLostTries", () => {
  it("a running run without a live owner: its try is lost and the run ends, nothing written", async () => {
    const run = leftRunning();
    const store = await storeWith(run);
    const [shown] = await showLostTries(store, [run], async () => dag, AT);
    expect(shown!.state).toBe("failed");
    expect(shown!.tasks.extract).toMatchObject({
      state: "failed",
      reason: "process lost: flow process 4242 on box ended while the try was running",
    });
    expect(shown!.tasks.load!.state).toBe("upstream_failed");
    expect(await store.getRun("etl", run.run_id)).toEqual(run);
  });

  it("ends the lost try when the owner was last seen, not at now, and marks it lost", async () => {
    const run = leftRunning();
    const store = await storeWith(run);
    const lastSeen = new Date("2026-01-01T00:00:30.000Z");
    const reader = Object.assign(Object.create(store) as MemoryStateStore, {
      inspectOwner: async () => ({ live: false, lastSeen }),
    });
    const look = (now: Date) => showLostTries(reader, [run], async () => dag, now);
    const [shown] = await look(AT);
    expect(shown!.lost).toEqual({ at: lastSeen.toISOString(), tasks: ["extract"] });
    expect(shown!.tasks.extract).toMatchObject({
      end: lastSeen.toISOString(),
      duration_ms: 30_000,
    });
    expect(await look(new Date(AT.getTime() + 3_600_000))).toEqual([shown]);
  });

  it("a running run whose owner is alive is shown as it is", async () => {
    const run = leftRunning();
    const store = await storeWith(run);
    const writer = await store.openRun("etl", run.run_id);
    const [shown] = await showLostTries(store, [run], async () => dag, AT);
    expect(shown).toEqual(run);
    expect(shown!.lost).toBeUndefined();
    await writer.close();
  });

  it("a run that ended between the listing and the lock check is shown as it ended", async () => {
    const stale = leftRunning();
    const store = await storeWith(stale);
    const writer = await store.openRun("etl", stale.run_id);
    const { tasks: _tasks, ...fields } = stale;
    writer.saveRun({ ...fields, state: "success" });
    await writer.close();
    const [shown] = await showLostTries(store, [stale], async () => dag, AT);
    expect(shown!.state).toBe("success");
  });

  it("a DAG that no longer loads: the run is shown as stored", async () => {
    const run = leftRunning();
    const store = await storeWith(run);
    expect(await showLostTries(store, [run], async () => undefined, AT)).toEqual([run]);
  });

  it("finished and queued runs never load the DAG", async () => {
    const done = realRun("scheduled", "2026-01-02T00:00:00Z", { state: "success" });
    const queued = realRun("scheduled", "2026-01-03T00:00:00Z");
    const store = new MemoryStateStore();
    for (const run of [done, queued]) await store.createRun(run);
    const never = async () => {
      throw new Error("loaded the DAG");
    };
    expect(await showLostTries(store, [done, queued], never, AT)).toEqual([done, queued]);
  });
});
