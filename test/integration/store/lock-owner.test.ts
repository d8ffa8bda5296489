import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import {
  isExitedLocalOwner,
  isLiveLocalOwner,
  thisProcess,
} from "../../../src/store/lock-owner.js";
import { ownerExited } from "../../../src/store/run-access-errors.js";

// A pid that has just exited (reaped by spawnSync): nothing runs under it for a while.
const deadPid = spawnSync("true").pid!;
const me = thisProcess();
const linux = existsSync("/proc/self/ns/pid");

describe.runIf(linux)("the owner a lock dir names, judged from this process", () => {
  it("records this process's PID namespace", () => {
    expect(me.pid_ns).toEqual(expect.any(Number));
  });

  it.each<[string, Parameters<typeof isExitedLocalOwner>[0], boolean]>([
    [
      "a dead pid of this host, nothing else recorded (older flow)",
      { pid: deadPid, hostname: hostname() },
      true,
    ],
    ["a dead pid of this host, boot and PID namespace", { ...me, pid: deadPid }, true],
    [
      "a pid of this host name in another PID namespace (another container)",
      { ...me, pid: deadPid, pid_ns: me.pid_ns! + 1 },
      false,
    ],
    ["a pid of this host name but another boot", { ...me, pid: deadPid, boot_id: "other" }, false],
    ["a pid of another host", { pid: deadPid, hostname: "elsewhere" }, false],
    ["this very process", me, false],
    ["a live pid that started at another time (reused)", { ...me, start: me.start! + 1 }, true],
  ])("%s: exited %s", (_name, owner, exited) => {
    expect(isExitedLocalOwner(owner)).toBe(exited);
    expect(ownerExited(owner)).toBe(exited);
  });

  it("an owner in another PID namespace is never a live local owner: the lock's mtime decides", () => {
    expect(isLiveLocalOwner(me)).toBe(true);
    expect(isLiveLocalOwner({ ...me, pid_ns: me.pid_ns! + 1 })).toBe(false);
  });
});
