import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { buildNativeRecord } from "../../../src/executors/bash-job.js";
import { findNativeSpawner, openSpawner } from "../../../src/executors/bash-spawner.js";
import type { ShellHelper } from "../../../src/executors/shell-helper.js";

const BUILD = fileURLToPath(new URL("../../../src/executors/native/build.mjs", import.meta.url));
const helpers: ShellHelper[] = [];

afterEach(async () => {
  await Promise.all(helpers.splice(0).map((helper) => helper.close()));
});

describe("the native spawner's build", () => {
  it("builds the binary when a compiler is there", () => {
    const out = mkdtempSync(join(tmpdir(), "flow-native-"));
    const result = spawnSync(process.execPath, [BUILD, out], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(existsSync(join(out, `flow-spawner-${process.platform}-${process.arch}`))).toBe(
      spawnSync("cc", ["--version"]).status === 0,
    );
  });

  it("without a compiler, says so and still succeeds: bash tasks then use the sh helper", () => {
    const out = mkdtempSync(join(tmpdir(), "flow-native-"));
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
    const dir = mkdtempSync(join(tmpdir(), "flow-native-"));
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
    const dir = mkdtempSync(join(tmpdir(), "flow-native-"));
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
