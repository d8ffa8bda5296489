import { describe, expect, it } from "vitest";
import { LockError, NotFoundError, StateFileError } from "../../../src/errors.js";
import { MemoryStateStore } from "../../../src/store/memory-store.js";
import { makeRun, makeTask } from "../../fixtures/store/runs.js";

const DATE = "2026-01-01T00:00:00+00:00";
const RUN_ID = `manual__${DATE}`;

describe("MemoryStateStore", () => {
  it("creates, lists and gets runs, oldest logical date first", async () => {
    const store = new MemoryStateStore();
    await store.createRun(makeRun("etl", "2026-01-02"));
    await store.createRun(makeRun("etl", "2026-01-01"));
    await store.createRun(makeRun("report", DATE));
    expect(await store.listDagIds()).toEqual(["etl", "report"]);
    expect((await store.listRuns("etl")).map((run) => run.logical_date)).toEqual([
      "2026-01-01",
      "2026-01-02",
    ]);
    expect(await store.getRun("report", RUN_ID)).toEqual(makeRun("report", DATE));
    expect(await store.getRun("report", "nope")).toBeUndefined();
  });

  it("lists run refs in listRuns' order, and a run is owned while a writer has it", async () => {
    const store = new MemoryStateStore();
    await store.createRun(makeRun("etl", "2026-01-02", { run_type: "scheduled" }));
    await store.createRun(makeRun("etl", "2026-01-01"));
    expect(await store.listRunRefs("etl")).toEqual([
      { run_id: "manual__2026-01-01", run_type: "manual", logical_date: "2026-01-01" },
      { run_id: "manual__2026-01-02", run_type: "scheduled", logical_date: "2026-01-02" },
    ]);
    expect(await store.listRunRefs("nope")).toEqual([]);
    expect(await store.hasLiveOwner("etl", "manual__2026-01-01")).toBe(false);
    const writer = await store.openRun("etl", "manual__2026-01-01");
    expect(await store.hasLiveOwner("etl", "manual__2026-01-01")).toBe(true);
    await writer.close();
    expect(await store.hasLiveOwner("etl", "manual__2026-01-01")).toBe(false);
    expect(await store.hasLiveOwner("etl", "nope")).toBe(false);
  });

  it("refuses a duplicate run id", async () => {
    const store = new MemoryStateStore();
    await store.createRun(makeRun("etl", DATE));
    const duplicate = store.createRun(makeRun("etl", DATE));
    await expect(duplicate).rejects.toThrow(`run "${RUN_ID}" of dag "etl" already exists`);
    await expect(duplicate).rejects.toBeInstanceOf(StateFileError);
  });

  it("gives a run one writer at a time, and keeps what it saved", async () => {
    const store = new MemoryStateStore();
    await store.createRun(makeRun("etl", DATE));
    const writer = await store.openRun("etl", RUN_ID);
    await expect(store.openRun("etl", RUN_ID)).rejects.toBeInstanceOf(LockError);
    writer.saveTask(makeTask("extract", "success"));
    writer.saveRun(makeRun("etl", DATE, { state: "success" }));
    await writer.close();
    expect(() => writer.saveTask(makeTask("load", "success"))).toThrow(/after close/);
    const again = await store.openRun("etl", RUN_ID);
    expect(again.run).toEqual(
      makeRun("etl", DATE, {
        state: "success",
        tasks: { extract: makeTask("extract", "success") },
      }),
    );
    await again.close();
  });

  it("hands out copies, so a caller cannot change what is stored", async () => {
    const store = new MemoryStateStore();
    const run = makeRun("etl", DATE);
    await store.createRun(run);
    (run.params as Record<string, unknown>).x = 1;
    const got = await store.getRun("etl", RUN_ID);
    (got?.params as Record<string, unknown>).y = 2;
    expect((await store.getRun("etl", RUN_ID))?.params).toEqual({});
  });

  it("says which runs exist when opening one that does not", async () => {
    const store = new MemoryStateStore();
    await store.createRun(makeRun("etl", DATE));
    await expect(store.openRun("etl", "x")).rejects.toThrow(
      new NotFoundError("run", "x", [RUN_ID], { where: 'dag "etl"' }),
    );
  });
});
