import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { buildNativeRecord, type BashJob } from "../../../src/executors/bash-job.js";
import { findNativeSpawner, openSpawner } from "../../../src/executors/bash-spawner.js";
import type { ShellHelper, ShellJob } from "../../../src/executors/shell-helper.js";
import { tempDir } from "./helpers.js";

const BUILD = fileURLToPath(new URL("../../../src/executors/native/build.mjs", import.meta.url));
const helpers: ShellHelper[] = [];

afterEach(async () => {
  await Promise.all(helpers.splice(0).map((helper) => helper.close()));
});

describe("the native spawner's build", () => {
  it("builds the binary when a compiler is there", () => {
    const out = tempDir("flow-native-");
    const result = spawnSync(process.execPath, [BUILD, out], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(existsSync(join(out, `flow-spawner-${process.platform}-${process.arch}`))).toBe(
      spawnSync("cc", ["--version"]).status === 0,
    );
  });

  it("without a compiler, says so and still succeeds: bash tasks then use the sh helper", () => {
    const out = tempDir("flow-native-");
    const result = spawnSync(process.execPath, [BUILD, out], {
      encoding: "utf8",
      env: { ...process.env, CC: "no-such-compiler-here" },
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/native spawner not built .*sh helper/);
    expect(existsSync(join(out, `flow-spawner-${process.platform}-${process.arch}`))).toBe(false);
  });
});

describe("openSpawner", () => {
  it("falls back to the sh helper when the native spawner is not built", () => {
    const spawner = openSpawner("auto", "/bin/sh", 300, () => undefined);
    expect(spawner.native).toBe(false);
  });

  it("refuses `native` when it is not built, and `sh` never uses it", () => {
    expect(() => openSpawner("native", "/bin/sh", 300, () => undefined)).toThrow(/not built/);
    expect(openSpawner("sh", "/bin/sh", 300, () => "/bin/true").native).toBe(false);
  });
});

describe.skipIf(!findNativeSpawner())("the native spawner", () => {
  it("runs a job, writes its log, and reports start then end with sh's status", async () => {
    const dir = tempDir("flow-native-");
    const { helper } = openSpawner("native", "/bin/sh", 300);
    helpers.push(helper);
    const logPath = join(dir, "a", "b", "1.log"); // folders the spawner creates
    const record = buildNativeRecord({
      command: 'sh -c \'echo "$GREETING" from "$PWD"; exit 7\'',
      cwd: dir,
      env: { GREETING: "hello" },
      logPath,
      bash: "/bin/sh",
    });
    const events: string[] = [];
    const status = await new Promise<number>((resolve) =>
      helper.run(record, {
        onStart: (pid) => events.push(pid > 0 ? "start" : "bad pid"),
        onEnd: (code) => resolve(code),
        onLost: (reason) => resolve(Number.NaN + reason.length),
      }),
    );
    expect(events).toEqual(["start"]);
    expect(status).toBe(7);
    expect(readFileSync(logPath, "utf8")).toBe(`hello from ${dir}\n`);
  });

  it("reports a long job's start while it runs: an S line waits for its E line only briefly", async () => {
    const dir = tempDir("flow-native-");
    const { helper } = openSpawner("native", "/bin/sh", 300);
    helpers.push(helper);
    const record = buildNativeRecord({
      command: "sleep 1",
      cwd: dir,
      env: {},
      logPath: join(dir, "sleep.1.log"),
      bash: "/bin/sh",
    });
    const started = performance.now();
    let startedAfter = Number.NaN;
    const endedAfter = await new Promise<number>((resolve) =>
      helper.run(record, {
        onStart: () => (startedAfter = performance.now() - started),
        onEnd: () => resolve(performance.now() - started),
        onLost: () => resolve(Number.NaN),
      }),
    );
    expect(startedAfter).toBeLessThan(500);
    expect(endedAfter).toBeGreaterThanOrEqual(900);
  });
});

describe.skipIf(!findNativeSpawner())("the native spawner's followers", () => {
  type Outcome = { end: number } | "not started" | { lost: string };

  // A job in `dir` that runs `command` (through the real binary), logging to `<name>.log`.
  const jobIn = (dir: string, name: string, command: string): BashJob => ({
    command,
    cwd: dir,
    env: {},
    logPath: join(dir, `${name}.log`),
    bash: "/bin/sh",
  });

  // Callbacks that push `<name> start`, `<name> end <status>`, `<name> not started` or
  // `<name> lost` to `events`, and a promise of how the job came out.
  const watch = (
    events: string[],
    name: string,
    onStart?: () => void,
  ): { job: ShellJob; outcome: Promise<Outcome> } => {
    let settle: (outcome: Outcome) => void = () => {};
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
    const job: ShellJob = {
      onStart: (pid) => {
        events.push(pid > 0 ? `${name} start` : `${name} bad pid`);
        onStart?.();
      },
      onEnd: (status) => {
        events.push(`${name} end ${status}`);
        settle({ end: status });
      },
      onLost: (reason) => {
        events.push(`${name} lost`);
        settle({ lost: reason });
      },
      onNotStarted: () => {
        events.push(`${name} not started`);
        settle("not started");
      },
    };
    return { job, outcome };
  };

  const open = (): { helper: ShellHelper; dir: string } => {
    const { helper } = openSpawner("native", "/bin/sh", 300);
    helpers.push(helper);
    return { helper, dir: tempDir("flow-native-follow-") };
  };

  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it("starts a follower of a running job once that job exits 0, and reports its start before that job's end", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    const leader = watch(events, "leader");
    const follower = watch(events, "follower");
    // The leader's last act is to create leader.done; the follower notes whether it is there.
    const leaderId = helper.run(
      buildNativeRecord(jobIn(dir, "leader", "sh -c 'sleep 0.2; : > leader.done'")),
      leader.job,
    );
    helper.run(
      buildNativeRecord(
        jobIn(
          dir,
          "follower",
          "sh -c 'if test -e leader.done; then echo after; else echo before; fi > follower.saw'",
        ),
        leaderId,
      ),
      follower.job,
      true,
    );
    expect(await leader.outcome).toEqual({ end: 0 });
    expect(await follower.outcome).toEqual({ end: 0 });
    expect(events).toEqual(["leader start", "follower start", "leader end 0", "follower end 0"]);
    expect(readFileSync(join(dir, "follower.saw"), "utf8")).toBe("after\n");
  });

  it.each([
    ["exits non-zero", "sh -c 'sleep 0.1; exit 3'", 3],
    ["is killed by a signal", "sh -c 'sleep 0.1; kill -TERM $$'", 143],
  ])("drops the follower of a job that %s: it never starts", async (_how, command, status) => {
    const { helper, dir } = open();
    const events: string[] = [];
    const leader = watch(events, "leader");
    const follower = watch(events, "follower");
    const leaderId = helper.run(buildNativeRecord(jobIn(dir, "leader", command)), leader.job);
    helper.run(
      buildNativeRecord(jobIn(dir, "follower", "sh -c ': > follower.ran'"), leaderId),
      follower.job,
      true,
    );
    expect(await leader.outcome).toEqual({ end: status });
    expect(await follower.outcome).toBe("not started");
    // Dropped as the leader was reaped: its C line comes before the leader's E line.
    expect(events).toEqual(["leader start", "follower not started", `leader end ${status}`]);
    await pause(200);
    expect(existsSync(join(dir, "follower.ran"))).toBe(false);
    expect(existsSync(join(dir, "follower.log"))).toBe(false);
  });

  it("cancels a waiting follower: it never runs, even when its leader then exits 0", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    const leader = watch(events, "leader");
    const follower = watch(events, "follower");
    const leaderId = helper.run(
      buildNativeRecord(jobIn(dir, "leader", "sh -c 'sleep 0.3; : > leader.done'")),
      leader.job,
    );
    const followerId = helper.run(
      buildNativeRecord(jobIn(dir, "follower", "sh -c ': > follower.ran'"), leaderId),
      follower.job,
      true,
    );
    helper.cancel(followerId);
    expect(await follower.outcome).toBe("not started");
    expect(existsSync(join(dir, "leader.done"))).toBe(false); // answered while the leader runs
    expect(await leader.outcome).toEqual({ end: 0 });
    expect(events).toEqual(["leader start", "follower not started", "leader end 0"]);
    await pause(200);
    expect(existsSync(join(dir, "follower.ran"))).toBe(false);
    expect(existsSync(join(dir, "follower.log"))).toBe(false);
  });

  it("ignores the cancel of a follower that has started: it runs to its end", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    const leader = watch(events, "leader");
    let followerId = 0;
    const follower = watch(events, "follower", () => helper.cancel(followerId));
    const leaderId = helper.run(
      buildNativeRecord(jobIn(dir, "leader", "sh -c 'sleep 0.1'")),
      leader.job,
    );
    followerId = helper.run(
      buildNativeRecord(jobIn(dir, "follower", "sh -c 'sleep 0.2; : > follower.ran'"), leaderId),
      follower.job,
      true,
    );
    expect(await follower.outcome).toEqual({ end: 0 });
    expect(events).toEqual(["leader start", "follower start", "leader end 0", "follower end 0"]);
    expect(existsSync(join(dir, "follower.ran"))).toBe(true);
  });

  it("starts at once a follower of a job that has already exited 0, and drops one of a job that exited non-zero or never was", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    const good = watch(events, "good");
    const goodId = helper.run(buildNativeRecord(jobIn(dir, "good", "sh -c 'exit 0'")), good.job);
    expect(await good.outcome).toEqual({ end: 0 });
    const bad = watch(events, "bad");
    const badId = helper.run(buildNativeRecord(jobIn(dir, "bad", "sh -c 'exit 4'")), bad.job);
    expect(await bad.outcome).toEqual({ end: 4 });

    const late = watch(events, "late");
    helper.run(
      buildNativeRecord(jobIn(dir, "late", "sh -c ': > late.ran'"), goodId),
      late.job,
      true,
    );
    expect(await late.outcome).toEqual({ end: 0 });
    expect(existsSync(join(dir, "late.ran"))).toBe(true);

    const afterBad = watch(events, "after-bad");
    helper.run(
      buildNativeRecord(jobIn(dir, "after-bad", "sh -c ': > after-bad.ran'"), badId),
      afterBad.job,
      true,
    );
    expect(await afterBad.outcome).toBe("not started");

    const afterNone = watch(events, "after-none");
    helper.run(
      buildNativeRecord(jobIn(dir, "after-none", "sh -c ': > after-none.ran'"), 999_999),
      afterNone.job,
      true,
    );
    expect(await afterNone.outcome).toBe("not started");

    expect(events).toEqual([
      "good start",
      "good end 0",
      "bad start",
      "bad end 4",
      "late start",
      "late end 0",
      "after-bad not started",
      "after-none not started",
    ]);
    await pause(200);
    for (const name of ["after-bad", "after-none"]) {
      expect(existsSync(join(dir, `${name}.ran`))).toBe(false);
      expect(existsSync(join(dir, `${name}.log`))).toBe(false);
    }
  });

  it("remembers the last 1024 ends for late followers, and no more", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    const leader = watch(events, "leader");
    const leaderId = helper.run(buildNativeRecord(jobIn(dir, "leader", "true")), leader.job);
    expect(await leader.outcome).toEqual({ end: 0 });
    // 1023 more ends: the leader's is the oldest of the last 1024.
    const others = Array.from({ length: 1023 }, (_, i) => watch([], `other${i}`));
    for (const other of others)
      helper.run(buildNativeRecord(jobIn(dir, "others", "true")), other.job);
    const outcomes = await Promise.all(others.map((other) => other.outcome));
    expect(outcomes.filter((outcome) => JSON.stringify(outcome) !== '{"end":0}')).toEqual([]);
    const first = watch(events, "first");
    helper.run(buildNativeRecord(jobIn(dir, "first", "true"), leaderId), first.job, true);
    expect(await first.outcome).toEqual({ end: 0 });
    // `first`'s end pushed the leader's out.
    const second = watch(events, "second");
    helper.run(buildNativeRecord(jobIn(dir, "second", "true"), leaderId), second.job, true);
    expect(await second.outcome).toBe("not started");
    expect(events).toEqual([
      "leader start",
      "leader end 0",
      "first start",
      "first end 0",
      "second not started",
    ]);
  });

  it("keeps the followers of several jobs apart: each goes with its own leader's end", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    // Each leader's last act is to create <leader>.done; each follower notes whether it is there.
    const leaders = [
      ["L1", "sleep 0.1", 0],
      ["L2", "sleep 0.2", 0],
      ["L3", "sleep 0.3; false", 1],
    ] as const;
    const leaderIds = new Map<string, number>();
    const outcomes = new Map<string, Promise<Outcome>>();
    for (const [name, script] of leaders) {
      const { job, outcome } = watch(events, name);
      outcomes.set(name, outcome);
      const command = `sh -c '${script}; status=$?; : > ${name}.done; exit $status'`;
      leaderIds.set(name, helper.run(buildNativeRecord(jobIn(dir, name, command)), job));
    }
    const followers = [
      ["F3", "L3"],
      ["F2", "L2"],
      ["F1a", "L1"],
      ["F2x", "L2"],
      ["F1b", "L1"],
    ] as const;
    const followerIds = new Map<string, number>();
    for (const [name, leader] of followers) {
      const { job, outcome } = watch(events, name);
      outcomes.set(name, outcome);
      const command = `sh -c 'test -e ${leader}.done && : > ${name}.saw-leader-done'`;
      const record = buildNativeRecord(jobIn(dir, name, command), leaderIds.get(leader)!);
      followerIds.set(name, helper.run(record, job, true));
    }
    helper.cancel(followerIds.get("F2x")!);
    const settled = Object.fromEntries(
      await Promise.all([...outcomes].map(async ([name, outcome]) => [name, await outcome])),
    );
    expect(settled).toEqual({
      L1: { end: 0 },
      L2: { end: 0 },
      L3: { end: 1 },
      F1a: { end: 0 },
      F1b: { end: 0 },
      F2: { end: 0 },
      F2x: "not started",
      F3: "not started",
    });
    for (const [name, leader] of [
      ["F1a", "L1"],
      ["F1b", "L1"],
      ["F2", "L2"],
    ]) {
      expect(events.indexOf(`${name} start`)).toBeLessThan(events.indexOf(`${leader} end 0`));
      expect(existsSync(join(dir, `${name}.saw-leader-done`))).toBe(true);
    }
    expect(events.indexOf("F2x not started")).toBeLessThan(events.indexOf("L1 end 0"));
    expect(events.indexOf("F3 not started")).toBeLessThan(events.indexOf("L3 end 1"));
    for (const name of ["F2x", "F3"]) expect(existsSync(join(dir, `${name}.log`))).toBe(false);
  });

  it("runs a chain of three in order, each follower written while its leader runs", async () => {
    const { helper, dir } = open();
    const events: string[] = [];
    const step = (name: string): string =>
      `sh -c 'echo ${name} start >> order; sleep 0.25; echo ${name} end >> order'`;
    const a = watch(events, "A");
    const c = watch(events, "C");
    let bId = 0;
    // C's record goes as soon as B has started: B is then a running job C can follow.
    const b = watch(events, "B", () =>
      helper.run(buildNativeRecord(jobIn(dir, "C", step("C")), bId), c.job, true),
    );
    const aId = helper.run(buildNativeRecord(jobIn(dir, "A", step("A"))), a.job);
    bId = helper.run(buildNativeRecord(jobIn(dir, "B", step("B")), aId), b.job, true);
    expect(await Promise.all([a.outcome, b.outcome, c.outcome])).toEqual([
      { end: 0 },
      { end: 0 },
      { end: 0 },
    ]);
    expect(events).toEqual(["A start", "B start", "A end 0", "C start", "B end 0", "C end 0"]);
    expect(readFileSync(join(dir, "order"), "utf8")).toBe(
      ["A start", "A end", "B start", "B end", "C start", "C end", ""].join("\n"),
    );
  });
});
