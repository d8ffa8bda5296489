import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { readRunsPage } from "../../../src/ops/runs-page.js";
import { MemoryStateStore } from "../../../src/store/memory-store.js";
import { realRun } from "./runs-fixture.js";

// Five daily runs, 2026-01-01 .. 2026-01-05, created out of order.
async function storeWithFiveRuns(): Promise<MemoryStateStore> {
  const store = new MemoryStateStore();
  for (const day of [3, 1, 5, 2, 4]) {
    await store.createRun(realRun("scheduled", `2026-01-0${day}T00:00:00Z`));
  }
  return store;
}

const ids = (runs: readonly { run_id: string }[]) => runs.map((run) => run.run_id.slice(11, 21));

describe("readRunsPage", () => {
  it.each([
    ["the first page", { offset: 0, limit: 2 }, ["2026-01-05", "2026-01-04"]],
    ["the second page", { offset: 2, limit: 2 }, ["2026-01-03", "2026-01-02"]],
    ["the last, short page", { offset: 4, limit: 2 }, ["2026-01-01"]],
    ["past the end", { offset: 9, limit: 2 }, []],
    [
      "a limit over the total",
      { offset: 0, limit: 100 },
      ["2026-01-05", "2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"],
    ],
  ])("%s: newest first, with the total", async (_name, page, expected) => {
    const { total, runs } = await readRunsPage(await storeWithFiveRuns(), "etl", page);
    expect(total).toBe(5);
    expect(ids(runs)).toEqual(expected);
  });

  it("a DAG without runs: an empty page, total 0", async () => {
    expect(await readRunsPage(new MemoryStateStore(), "etl", { offset: 0, limit: 5 })).toEqual({
      total: 0,
      runs: [],
    });
  });

  it("reads only the runs of the page", async () => {
    const store = await storeWithFiveRuns();
    const read: string[] = [];
    const getRun = store.getRun.bind(store);
    store.getRun = async (dagId, runId) => (read.push(runId), getRun(dagId, runId));
    await readRunsPage(store, "etl", { offset: 1, limit: 2 });
    expect(ids(read.map((run_id) => ({ run_id })))).toEqual(["2026-01-04", "2026-01-03"]);
  });

  it.each([
    ["a negative offset", { offset: -1, limit: 5 }, /offset must be a whole number >= 0, got -1/],
    ["a zero limit", { offset: 0, limit: 0 }, /limit must be a whole number >= 1, got 0/],
    ["a fractional limit", { offset: 0, limit: 1.5 }, /limit must be a whole number >= 1, got 1.5/],
  ])("%s: a usage error", async (_name, page, message) => {
    const result = readRunsPage(new MemoryStateStore(), "etl", page);
    await expect(result).rejects.toThrow(UsageError);
    await expect(result).rejects.toThrow(message);
  });
});
