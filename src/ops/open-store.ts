import { FileStateStore } from "../store/file-store.js";
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
