import { hostname } from "node:os";
import { LockError, NotFoundError } from "../errors.js";
import type { RunOwner } from "../core/run.js";
import { isExitedLocalOwner, type LockOwner } from "./lock-owner.js";
import type { LockTiming } from "./locks.js";
import { readDagFolder } from "./run-listing.js";
import type { StateReader } from "./state-store.js";

/** The error for a run that does not exist, listing the ones that do. */
export async function runNotFound(
  stateDir: string,
  dagId: string,
  runId: string,
): Promise<NotFoundError> {
  const known = [...(await readDagFolder(stateDir, dagId)).runIds].sort();
  return new NotFoundError("run", runId, known, { where: `dag "${dagId}"` });
}

/**
 * The error for a run another live process holds, naming it from its lock's owner file, or the
 * run's owner field when the lock names nobody.
 */
export async function runIsBusy(
  reader: StateReader,
  timing: LockTiming,
  dagId: string,
  runId: string,
): Promise<LockError> {
  const holder = await reader.inspectOwner(dagId, runId).then(
    (seen) => seen.owner,
    () => undefined,
  );
  const owner =
    holder ??
    (await reader.getRun(dagId, runId).then(
      (run) => run?.owner ?? null,
      () => null,
    ));
  const where =
    owner === null
      ? ""
      : owner.hostname === hostname()
        ? ` (pid ${owner.pid})`
        : ` (pid ${owner.pid} on ${owner.hostname})`;
  const stale = timing.staleMs / 1000;
  if (owner !== null && ownerExited(owner))
    return new LockError(
      `run "${runId}" of dag "${dagId}" is still locked by flow process ${owner.pid}, which has exited`,
      {
        hint: `its lock goes stale within ${stale} s of its last refresh: run the command again then`,
      },
    );
  return new LockError(
    `run "${runId}" of dag "${dagId}" is being run by another flow process${where}`,
    { hint: `if that process is gone, its lock goes stale after ${stale} s` },
  );
}

/**
 * The owner of a running run ran on this host and its process has exited: its lock is not stale
 * yet (a writer waits for that), but nothing will ever refresh it. Pass the lock's owner when
 * its dir names one (it records the boot and PID namespace, see isExitedLocalOwner), else the
 * run's owner field.
 */
export function ownerExited(owner: LockOwner | RunOwner | null | undefined): boolean {
  return owner != null && isExitedLocalOwner(owner);
}
