import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  currentBootId,
  currentPidNamespace,
  isProcessAlive,
  processStartTicks,
} from "../scheduler/process-alive.js";

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
  /**
   * Linux only: the inode of the owner's PID namespace. Owners written by an older flow lack it:
   * their pid is then read as one of ours, as before.
   */
  readonly pid_ns?: number;
}

const OWNER_FILE = "owner";

let self: LockOwner | undefined;
/** This process as the owner of a lock. */
export function thisProcess(): LockOwner {
  if (self === undefined) {
    const boot = currentBootId();
    const start = processStartTicks(process.pid);
    const pidNs = currentPidNamespace();
    self = {
      pid: process.pid,
      hostname: hostname(),
      ...(boot !== undefined && start !== undefined && { boot_id: boot, start }),
      ...(pidNs !== undefined && { pid_ns: pidNs }),
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
    owner.boot_id === me.boot_id &&
    sameIfBothKnow(owner.pid_ns, me.pid_ns)
  );
}

/**
 * Whether `owner` is a process of this host that is still running: same boot, same PID namespace
 * (when both record one), same pid, same start time, so an owner killed with -9 whose pid was
 * given to another process is not. Only Linux records the start time; elsewhere (and for another
 * host or PID namespace) this is false, and the lock's mtime alone tells whether its owner lives.
 */
export function isLiveLocalOwner(owner: LockOwner | undefined): boolean {
  const me = thisProcess();
  return (
    owner !== undefined &&
    owner.hostname === me.hostname &&
    owner.start !== undefined &&
    owner.boot_id !== undefined &&
    owner.boot_id === me.boot_id &&
    sameIfBothKnow(owner.pid_ns, me.pid_ns) &&
    isProcessAlive(owner.pid) &&
    processStartTicks(owner.pid) === owner.start
  );
}

/**
 * Whether `owner` ran here and has exited: same host name, and same boot and PID namespace as
 * far as both sides record them, so its pid is one of ours; and no process has that pid now (or
 * one that started at another time than the owner did). A run's owner field (pid and host only)
 * is judged by host name and pid alone, as before owners recorded more. Containers that share a
 * host name but not a PID namespace, or hosts of one name, are not judged: false, and the lock's
 * mtime decides.
 */
export function isExitedLocalOwner(owner: LockOwner): boolean {
  const me = thisProcess();
  if (
    owner.hostname !== me.hostname ||
    !sameIfBothKnow(owner.boot_id, me.boot_id) ||
    !sameIfBothKnow(owner.pid_ns, me.pid_ns)
  )
    return false;
  if (!isProcessAlive(owner.pid)) return true;
  return owner.start !== undefined && processStartTicks(owner.pid) !== owner.start;
}

// Two recorded facts agree, or one side did not record it (another OS, an older flow).
function sameIfBothKnow<T>(theirs: T | undefined, ours: T | undefined): boolean {
  return theirs === undefined || ours === undefined || theirs === ours;
}
