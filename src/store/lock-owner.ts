import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { currentBootId, isProcessAlive, processStartTicks } from "../scheduler/process-alive.js";

/**
 * Who took a lock, as written in its dir (`<lock>/owner`, JSON) when it is taken. The mtime of
 * the dir says when its owner last refreshed it; this says whether that owner still lives.
 */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Linux only: the kernel's boot id and the owner's start time (ticks since boot). */
  readonly boot_id?: string;
  readonly start?: number;
}

const OWNER_FILE = "owner";

let self: LockOwner | undefined;
/** This process as the owner of a lock. */
export function thisProcess(): LockOwner {
  if (self === undefined) {
    const boot = currentBootId();
    const start = processStartTicks(process.pid);
    self = {
      pid: process.pid,
      hostname: hostname(),
      ...(boot !== undefined && start !== undefined && { boot_id: boot, start }),
    };
  }
  return self;
}

/** Writes this process into a lock dir it has just created. */
export function writeLockOwner(lockDir: string): void {
  writeFileSync(join(lockDir, OWNER_FILE), `${JSON.stringify(thisProcess())}\n`);
}

/** The owner a lock dir names; undefined when it names none (no dir, a lock of an older flow). */
export function readLockOwner(lockDir: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(join(lockDir, OWNER_FILE), "utf8");
  } catch {
    return undefined;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | null;
    return typeof owner?.pid === "number" && typeof owner.hostname === "string"
      ? (owner as LockOwner)
      : undefined;
  } catch {
    return undefined; // written halfway by an owner that died then
  }
}

/** The file a lock dir's owner is written to (removed with the dir). */
export function lockOwnerPath(lockDir: string): string {
  return join(lockDir, OWNER_FILE);
}

/** Whether `owner` is this very process. */
export function isThisProcess(owner: LockOwner | undefined): boolean {
  const me = thisProcess();
  return (
    owner !== undefined &&
    owner.pid === me.pid &&
    owner.hostname === me.hostname &&
    owner.start === me.start &&
    owner.boot_id === me.boot_id
  );
}

/**
 * Whether `owner` is a process of this host that is still running: same boot, same pid, same
 * start time, so an owner killed with -9 whose pid was given to another process is not. Only
 * Linux records the start time; elsewhere (and for another host) this is false, and the lock's
 * mtime alone tells whether its owner lives.
 */
export function isLiveLocalOwner(owner: LockOwner | undefined): boolean {
  const me = thisProcess();
  return (
    owner !== undefined &&
    owner.hostname === me.hostname &&
    owner.start !== undefined &&
    owner.boot_id !== undefined &&
    owner.boot_id === me.boot_id &&
    isProcessAlive(owner.pid) &&
    processStartTicks(owner.pid) === owner.start
  );
}
