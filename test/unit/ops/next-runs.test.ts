import { describe, expect, it } from "vitest";
import { upcomingRunsOf } from "../../../src/ops/next-runs.js";
import { MemoryStateStore } from "../../../src/store/memory-store.js";
import { makeDag } from "../core/dag-fixture.js";
import { realRun } from "./runs-fixture.js";

const daily = makeDag(
  { extract: [] },
  { id: "etl", schedule: "@daily", start: "2026-01-01", catchup: true },
);
const NOW = new Date("2026-01-10T06:00:00Z");
const starts = (runs: readonly { interval: { start: Date } }[]) =>
  runs.map((run) => run.interval.start.toISOString().slice(0, 10));

describe("upcomingRunsOf", () => {
  it("continues after the newest automated run, reading only that run; manual runs do not count", async () => {
    const store = new MemoryStateStore();
    const automated = [
      realRun("scheduled", "2026-01-01T00:00:00Z", {
        data_interval_start: "2026-01-01T00:00:00.000Z",
        data_interval_end: "2026-01-02T00:00:00.000Z",
      }),
      realRun("backfill", "2026-01-02T00:00:00Z", {
        data_interval_start: "2026-01-02T00:00:00.000Z",
        data_interval_end: "2026-01-03T00:00:00.000Z",
      }),
    ];
    for (const run of automated) await store.createRun(run);
    await store.createRun(realRun("manual", "2026-01-08T00:00:00Z"));
    const read: string[] = [];
    const getRun = store.getRun.bind(store);
    store.getRun = async (dagId, runId) => (read.push(runId), getRun(dagId, runId));
    expect(starts(await upcomingRunsOf(store, daily, NOW, 2))).toEqual([
      "2026-01-03",
      "2026-01-04",
    ]);
    expect(read).toEqual([automated[1]!.run_id]);
  });

  it("no runs: from the DAG's start (catchup on)", async () => {
    const runs = await upcomingRunsOf(new MemoryStateStore(), daily, NOW, 1);
    expect(starts(runs)).toEqual(["2026-01-01"]);
  });

  it("a DAG without a schedule: none", async () => {
    const manual = makeDag({ extract: [] }, { id: "etl" });
    expect(await upcomingRunsOf(new MemoryStateStore(), manual, NOW, 3)).toEqual([]);
  });
});
