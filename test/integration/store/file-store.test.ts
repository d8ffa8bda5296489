import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { appendFile, chmod, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { LockError, NotFoundError, StateFileError } from "../../../src/errors.js";
import { FileStateStore } from "../../../src/store/file-store.js";
import { lockFsFor } from "../../../src/store/lock-fs.js";
import { makeRun, makeTask } from "../../fixtures/store/runs.js";
import { runFixture } from "./run-fixture.js";
import { useTempDirs } from "./temp-dir.js";

const tempDir = useTempDirs();
const DATE = "2026-01-01T00:00:00+00:00";
const RUN_ID = `manual__${DATE}`;

// A state dir with one run of "etl" already created.
async function storeWithRun(): Promise<{ store: FileStateStore; state: string; dir: string }> {
  const state = join(await tempDir(), "state");
  const store = await FileStateStore.open(state);
  await store.createRun(makeRun("etl", DATE));
  return { store, state, dir: join(state, "runs", "etl") };
}

// Runs `act`, expecting a StateFileError whose message matches, and that `file` is unchanged.
async function expectRefusedUntouched(file: string, act: () => Promise<unknown>, message: RegExp) {
  const before = await readFile(file);
  await expect(act()).rejects.toSatisfy(
    (error: unknown) => error instanceof StateFileError && message.test(error.message),
  );
  expect(await readFile(file)).toEqual(before);
}

describe("FileStateStore: layout", () => {
  it("creates a missing state dir, with the layout marker", async () => {
    const state = join(await tempDir(), "a", "b", "state");
    await FileStateStore.open(state);
    expect(JSON.parse(await readFile(join(state, "flow-state.json"), "utf8"))).toEqual({
      version: 1,
    });
  });

  it("refuses a state dir that cannot be created, naming it", async () => {
    const parent = join(await tempDir(), "a-file");
    await writeFile(parent, "");
    const state = join(parent, "state");
    await expect(FileStateStore.open(state)).rejects.toThrow(
      new StateFileError(`${state}: cannot create the state dir (ENOTDIR)`),
    );
  });

  // Root ignores mode bits, so as root the open runs in a child process as user "nobody".
  it("refuses a read-only state dir, naming it", async () => {
    const dir = await tempDir();
    const state = join(dir, "state");
    await FileStateStore.open(state);
    await chmod(dir, 0o755);
    await chmod(state, 0o555);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const outcome = JSON.parse(
      await runFixture("open-store.ts", [state], asNobody).finally(() => chmod(state, 0o755)),
    );
    expect(outcome).toEqual({
      ok: false,
      name: "StateFileError",
      message: `${state}: cannot write to the state dir (EACCES)`,
    });
  });

  it("refuses a state dir written with another layout version, leaving it as it is", async () => {
    const state = await tempDir();
    const marker = join(state, "flow-state.json");
    await writeFile(marker, '{"version": 2}\n');
    await expectRefusedUntouched(
      marker,
      () => FileStateStore.open(state),
      /flow-state\.json: state version 2, this flow reads version 1/,
    );
  });

  it("computes log paths without creating anything", async () => {
    const state = await tempDir();
    const store = await FileStateStore.open(state);
    expect(store.logPath("etl", RUN_ID, "load", 2)).toBe(
      join(state, "logs", "etl", RUN_ID, "load.2.log"),
    );
    expect(existsSync(join(state, "logs"))).toBe(false);
  });

  it("finds a log where earlier builds wrote it (<task>/<try>.log) when only that one exists", async () => {
    const state = await tempDir();
    const store = await FileStateStore.open(state);
    const current = store.logPath("etl", RUN_ID, "load", 1);
    expect(store.existingLogPath("etl", RUN_ID, "load", 1)).toBe(current);
    const legacy = join(state, "logs", "etl", RUN_ID, "load", "1.log");
    mkdirSync(dirname(legacy), { recursive: true });
    writeFileSync(legacy, "old\n");
    expect(store.existingLogPath("etl", RUN_ID, "load", 1)).toBe(legacy);
    writeFileSync(current, "new\n");
    expect(store.existingLogPath("etl", RUN_ID, "load", 1)).toBe(current);
  });

  it("refuses ids that would escape the state dir", async () => {
    const store = await FileStateStore.open(await tempDir());
    await expect(store.getRun("..", "x")).rejects.toThrow(StateFileError);
    await expect(store.createRun(makeRun("etl", DATE, { run_id: "a/b" }))).rejects.toThrow(
      StateFileError,
    );
  });
});

describe("FileStateStore: runs", () => {
  it("creates, lists and gets runs, oldest logical date first", async () => {
    const store = await FileStateStore.open(await tempDir());
    await store.createRun(makeRun("etl", "2026-01-03T00:00:00+00:00"));
    await store.createRun(makeRun("etl", "2026-01-01T00:00:00+00:00", { run_id: "scheduled__b" }));
    await store.createRun(makeRun("etl", "2026-01-01T00:00:00+00:00", { run_id: "scheduled__a" }));
    await store.createRun(makeRun("report", DATE));

    expect(await store.listDagIds()).toEqual(["etl", "report"]);
    const runs = await store.listRuns("etl");
    expect(runs.map((run) => run.run_id)).toEqual([
      "scheduled__a",
      "scheduled__b",
      "manual__2026-01-03T00:00:00+00:00",
    ]);
    expect(await store.getRun("report", RUN_ID)).toEqual(makeRun("report", DATE));
    expect(await store.getRun("report", "nope")).toBeUndefined();
    expect(await store.listRuns("nope")).toEqual([]);
  });

  it("refuses to create a run id that exists, leaving the run as it was", async () => {
    const { store, dir } = await storeWithRun();
    await expectRefusedUntouched(
      join(dir, `${RUN_ID}.json`),
      () => store.createRun(makeRun("etl", DATE, { state: "failed" })),
      /^run "manual__2026-01-01T00:00:00\+00:00" of dag "etl" already exists$/,
    );
  });

  it("lists nothing while the state dir is new, and skips lock dirs", async () => {
    const { store, state } = await storeWithRun();
    expect(await FileStateStore.open(await tempDir()).then((empty) => empty.listDagIds())).toEqual(
      [],
    );
    const writer = await store.openRun("etl", RUN_ID);
    expect(await store.listDagIds()).toEqual(["etl"]);
    expect((await store.listRuns("etl")).map((run) => run.run_id)).toEqual([RUN_ID]);
    await writer.close();
    expect(await readdir(join(state, "runs", "etl"))).toEqual([`${RUN_ID}.json`]);
  });

  it("says which runs exist when opening one that does not", async () => {
    const { store } = await storeWithRun();
    await expect(store.openRun("etl", "manual__x")).rejects.toThrow(
      new NotFoundError("run", "manual__x", [RUN_ID], { where: 'dag "etl"' }),
    );
  });
});

describe("FileStateStore: writers and the journal", () => {
  it("journals each save, replays it on read, and compacts it on close", async () => {
    const { store, dir } = await storeWithRun();
    const writer = await store.openRun("etl", RUN_ID);
    expect(writer.run).toEqual(makeRun("etl", DATE));
    writer.saveTask(makeTask("extract", "running"));
    writer.saveTask(makeTask("extract", "success"));
    writer.saveRun({ ...makeRun("etl", DATE, { state: "running" }), tasks: undefined } as never);
    writer.saveTask(makeTask("load", "running"));

    const journal = await readFile(join(dir, `${RUN_ID}.journal`), "utf8");
    expect(
      journal
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).seq),
    ).toEqual([1, 2, 3, 4]);
    const expected = makeRun("etl", DATE, {
      state: "running",
      tasks: { extract: makeTask("extract", "success"), load: makeTask("load", "running") },
    });
    expect(await store.getRun("etl", RUN_ID)).toEqual(expected);

    await writer.close();
    expect(existsSync(join(dir, `${RUN_ID}.journal`))).toBe(false);
    const snapshot = JSON.parse(await readFile(join(dir, `${RUN_ID}.json`), "utf8"));
    expect(snapshot).toEqual({ version: 1, seq: 4, run: expected });
    expect(await store.getRun("etl", RUN_ID)).toEqual(expected);
  });

  it("createAndOpenRun hands back the new run locked, with nothing to read back", async () => {
    const state = join(await tempDir(), "state");
    const store = await FileStateStore.open(state);
    const writer = await store.createAndOpenRun(makeRun("etl", DATE));
    expect(writer.run).toEqual(makeRun("etl", DATE));
    await expect(store.openRun("etl", RUN_ID)).rejects.toBeInstanceOf(LockError);
    await expect(store.createAndOpenRun(makeRun("etl", DATE))).rejects.toThrow(/already exists/);
    writer.saveTask(makeTask("extract", "success"));
    await writer.close();
    expect(Object.keys((await store.getRun("etl", RUN_ID))?.tasks ?? {})).toEqual(["extract"]);
    expect((await readdir(join(state, "runs", "etl"))).sort()).toEqual([`${RUN_ID}.json`]);
  });

  it("after deferSaves, keeps saves in memory until flush() or close() writes them", async () => {
    const { store, dir } = await storeWithRun();
    const journal = join(dir, `${RUN_ID}.journal`);
    const writer = await store.openRun("etl", RUN_ID);
    writer.deferSaves();
    writer.saveTask(makeTask("extract", "running"));
    writer.saveTask(makeTask("extract", "success"));
    expect(await readFile(journal, "utf8")).toBe("");
    writer.flush();
    const seqs = (await readFile(journal, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).seq);
    expect(seqs).toEqual([1, 2]);
    writer.flush(); // nothing waits: no write
    writer.saveTask(makeTask("load", "success"));
    await writer.close();
    const snapshot = JSON.parse(await readFile(join(dir, `${RUN_ID}.json`), "utf8"));
    expect(snapshot.seq).toBe(3);
    expect(Object.keys(snapshot.run.tasks)).toEqual(["extract", "load"]);
  });

  it("carries on numbering after a reopen, so old journal lines are never replayed twice", async () => {
    const { store, dir } = await storeWithRun();
    const first = await store.openRun("etl", RUN_ID);
    first.saveTask(makeTask("extract", "success"));
    await first.close();
    const second = await store.openRun("etl", RUN_ID);
    second.saveTask(makeTask("load", "success"));
    const line = JSON.parse((await readFile(join(dir, `${RUN_ID}.journal`), "utf8")).trim());
    expect(line.seq).toBe(2);
    await second.close();
    expect(Object.keys((await store.getRun("etl", RUN_ID))?.tasks ?? {})).toEqual([
      "extract",
      "load",
    ]);
  });

  it("skips journal lines the snapshot already holds (a crash between snapshot and unlink)", async () => {
    const { store, dir } = await storeWithRun();
    const writer = await store.openRun("etl", RUN_ID);
    writer.saveTask(makeTask("extract", "success"));
    const journal = await readFile(join(dir, `${RUN_ID}.journal`));
    await writer.close();
    await writeFile(join(dir, `${RUN_ID}.journal`), journal);
    await writeFile(
      join(dir, `${RUN_ID}.json`),
      JSON.stringify({ version: 1, seq: 1, run: makeRun("etl", DATE, { state: "success" }) }),
    );
    expect((await store.getRun("etl", RUN_ID))?.tasks).toEqual({});
  });

  it("ignores a partial last line (a crash mid-append) and drops it when the run is reopened", async () => {
    const { store, dir } = await storeWithRun();
    const journal = join(dir, `${RUN_ID}.journal`);
    const writer = await store.openRun("etl", RUN_ID);
    writer.saveTask(makeTask("extract", "success"));
    await appendFile(journal, '{"seq":2,"task":{"task_id":"lo');
    expect(Object.keys((await store.getRun("etl", RUN_ID))?.tasks ?? {})).toEqual(["extract"]);

    // Simulate the owner dying: drop its lock without closing, then reopen. (Through the lock
    // dirs' own fs: the dir holds its owner file.)
    await import("proper-lockfile").then((lockfile) =>
      lockfile.unlock(join(dir, `${RUN_ID}.json`), {
        lockfilePath: join(dir, `${RUN_ID}.lock`),
        realpath: false,
        fs: lockFsFor(10_000),
      }),
    );
    const next = await store.openRun("etl", RUN_ID);
    expect(Object.keys(next.run.tasks)).toEqual(["extract"]);
    expect(await readFile(journal, "utf8")).toBe("");
    next.saveTask(makeTask("load", "success"));
    await next.close();
    expect(Object.keys((await store.getRun("etl", RUN_ID))?.tasks ?? {})).toEqual([
      "extract",
      "load",
    ]);
  });

  it("refuses a second writer for a run, and accepts one after close", async () => {
    const { store } = await storeWithRun();
    const writer = await store.openRun("etl", RUN_ID);
    // The run names no owner (not begun): its lock's owner file does, this very process.
    await expect(store.openRun("etl", RUN_ID)).rejects.toThrow(
      `run "manual__2026-01-01T00:00:00+00:00" of dag "etl" is being run by another flow process (pid ${process.pid})`,
    );
    await expect(store.openRun("etl", RUN_ID)).rejects.toBeInstanceOf(LockError);
    await writer.close();
    await (await store.openRun("etl", RUN_ID)).close();
  });

  it("stops writing once its lock is lost, leaving the run to whoever holds it now", async () => {
    const state = join(await tempDir(), "state");
    const store = await FileStateStore.open(state, { lockStaleMs: 2000, lockUpdateMs: 1000 });
    await store.createRun(makeRun("etl", DATE));
    const writer = await store.openRun("etl", RUN_ID);
    writer.saveTask(makeTask("extract", "running"));
    const snapshot = join(state, "runs", "etl", `${RUN_ID}.json`);
    const before = await readFile(snapshot);
    await rm(join(state, "runs", "etl", `${RUN_ID}.lock`), { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the next lock refresh notices
    expect(() => writer.saveTask(makeTask("extract", "success"))).toThrow(LockError);
    expect(() => writer.saveTask(makeTask("extract", "success"))).toThrow(/lost the lock on run/);
    await expect(writer.close()).rejects.toBeInstanceOf(LockError);
    expect(await readFile(snapshot)).toEqual(before);
    expect(Object.values((await store.getRun("etl", RUN_ID))?.tasks ?? {})).toEqual([
      makeTask("extract", "running"),
    ]);
  });

  it("treats saving after close as a bug", async () => {
    const { store } = await storeWithRun();
    const writer = await store.openRun("etl", RUN_ID);
    await writer.close();
    expect(() => writer.saveTask(makeTask("extract", "success"))).toThrow(/after close/);
  });
});

describe("FileStateStore: unreadable files are reported and never rewritten", () => {
  const NEVER = "; flow never rewrites a state file it cannot read: fix or remove it$";

  it.each([
    ["not JSON", "{", "not valid JSON \\(.+\\)"],
    ["empty", "", "empty file"],
    [
      "the wrong shape",
      '{"version":1,"seq":0,"run":{"dag_id":"etl"}}',
      "run.run_id is not a string",
    ],
    [
      "another version",
      '{"version":9,"seq":0,"run":{}}',
      "state version 9, this flow reads version 1",
    ],
    [
      "another run",
      JSON.stringify({ version: 1, seq: 0, run: makeRun("etl", "2020-01-01") }),
      "holds .+, not the run its name says",
    ],
  ])("a snapshot that is %s", async (_name, text, problem) => {
    const { store, dir } = await storeWithRun();
    const snapshot = join(dir, `${RUN_ID}.json`);
    await writeFile(snapshot, text);
    const message = new RegExp(`^${escape(snapshot)}: ${problem}${NEVER}`);
    await expectRefusedUntouched(snapshot, () => store.getRun("etl", RUN_ID), message);
    await expectRefusedUntouched(snapshot, () => store.listRuns("etl"), message);
    await expectRefusedUntouched(snapshot, () => store.openRun("etl", RUN_ID), message);
    await expectRefusedUntouched(
      snapshot,
      () => store.createRun(makeRun("etl", DATE)),
      /already exists/,
    );
  });

  it.each([
    ["not JSON", "{oops}\n", "line 2 is not valid JSON \\(.+\\)"],
    ["a blank line", "\n", "line 2 is not valid JSON \\(.+\\)"],
    [
      "the wrong shape",
      '{"seq":2,"task":{"task_id":"x","state":"exploded","try_number":1}}\n',
      'line 2: task.state "exploded" is not a task state',
    ],
    ["neither task nor run", '{"seq":2}\n', "line 2: neither task nor run"],
  ])("a journal line in the middle that is %s", async (_name, badLine, problem) => {
    const { store, dir } = await storeWithRun();
    const journal = join(dir, `${RUN_ID}.journal`);
    const good = (seq: number) =>
      `${JSON.stringify({ seq, task: makeTask(`t${seq}`, "success") })}\n`;
    await writeFile(journal, good(1) + badLine + good(3));
    const message = new RegExp(`^${escape(journal)}: ${problem}${NEVER}`);
    await expectRefusedUntouched(journal, () => store.getRun("etl", RUN_ID), message);
    await expectRefusedUntouched(journal, () => store.openRun("etl", RUN_ID), message);
    // The refused openRun released its lock: the run can be opened once the file is fixed.
    await writeFile(journal, good(1));
    await (await store.openRun("etl", RUN_ID)).close();
  });

  it("a journal whose snapshot is gone", async () => {
    const { store, dir } = await storeWithRun();
    const journal = join(dir, "manual__gone.journal");
    await writeFile(journal, `${JSON.stringify({ seq: 1, task: makeTask("a", "success") })}\n`);
    await expectRefusedUntouched(
      journal,
      () => store.getRun("etl", "manual__gone"),
      /a journal without its snapshot/,
    );
    await expectRefusedUntouched(
      journal,
      () => store.createRun(makeRun("etl", "gone", { run_id: "manual__gone" })),
      /already exists/,
    );
  });
});

// Escapes a path for use inside a RegExp.
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("FileStateStore: what openRun saw of the previous owner", () => {
  it("the dead lock dir's mtime, read before taking it over replaces the dir; nothing without one", async () => {
    const { store, dir } = await storeWithRun();
    const first = await store.openRun("etl", RUN_ID);
    expect(first.previousOwner).toEqual({ live: false });
    await first.close();

    const lock = join(dir, `${RUN_ID}.lock`);
    mkdirSync(lock);
    writeFileSync(join(lock, "owner"), JSON.stringify({ pid: 4242, hostname: "elsewhere" }));
    const lastSeen = new Date(Date.now() - 60_000);
    await utimes(lock, lastSeen, lastSeen);
    const writer = await store.openRun("etl", RUN_ID);
    try {
      expect(writer.previousOwner).toMatchObject({ live: false, lastSeen });
      expect(statSync(lock).mtime.getTime()).toBeGreaterThan(lastSeen.getTime() + 30_000);
    } finally {
      await writer.close();
    }
  });
});
