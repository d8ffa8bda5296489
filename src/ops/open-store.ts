import { existsSync } from "node:fs";
import { join } from "node:path";
import { FileStateStore } from "../store/file-store.js";
import { MemoryStateStore } from "../store/memory-store.js";
import { LAYOUT_MARKER } from "../store/state-paths.js";
import type { StateStore } from "../store/state-store.js";
import type { Workspace } from "./workspace.js";

/**
 * Opens the workspace's state dir for commands that write. FLOW_LOCK_STALE_MS (a testing aid)
 * shortens how long the lock of a dead flow process blocks others (default 10 s).
 */
export function openStore(workspace: Workspace): Promise<FileStateStore> {
  const stale = Number(workspace.env.FLOW_LOCK_STALE_MS);
  return FileStateStore.open(
    workspace.stateDir,
    Number.isInteger(stale) && stale >= 2000 ? { lockStaleMs: stale } : {},
  );
}

/**
 * Opens the workspace's state dir for commands that only read. A state dir that does not exist
 * yet reads as empty and is not created.
 */
export async function openStoreForReading(workspace: Workspace): Promise<StateStore> {
  // TODO(issue 9): a read-only file store (no marker written, no lock taken) replaces this.
  return existsSync(join(workspace.stateDir, LAYOUT_MARKER))
    ? openStore(workspace)
    : new MemoryStateStore();
}
