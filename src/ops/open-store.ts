import { FileStateReader, type FileStoreOptions } from "../store/file-state-reader.js";
import { FileStateStore } from "../store/file-store.js";
import type { StateReader } from "../store/state-store.js";
import type { Workspace } from "./workspace.js";

/**
 * Opens the workspace's state dir for commands that write. FLOW_LOCK_STALE_MS (a testing aid)
 * shortens how long the lock of a dead flow process blocks others (default 10 s).
 */
export function openStore(workspace: Workspace): Promise<FileStateStore> {
  return FileStateStore.open(workspace.stateDir, storeOptions(workspace));
}

/**
 * Opens the workspace's state dir for commands that only read: nothing is created or written
 * and no lock is taken, so it works on a state dir the user can only read. A state dir that does
 * not exist yet reads as empty. The same FLOW_LOCK_STALE_MS decides when an owner is dead.
 */
export function openStoreForReading(workspace: Workspace): Promise<StateReader> {
  return FileStateReader.openForReading(workspace.stateDir, storeOptions(workspace));
}

/** How long the lock of a dead flow process blocks others in this workspace, in ms. */
export function lockStaleMs(workspace: Workspace): number {
  return storeOptions(workspace).lockStaleMs ?? 10_000;
}

function storeOptions(workspace: Workspace): FileStoreOptions {
  const stale = Number(workspace.env.FLOW_LOCK_STALE_MS);
  return Number.isInteger(stale) && stale >= 2000 ? { lockStaleMs: stale } : {};
}
