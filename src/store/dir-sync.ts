import { close, fsync, open } from "node:fs";

interface DirSyncs {
  // The fsync under way, and the one queued behind it for callers that came during it.
  running?: Promise<void>;
  queued?: Promise<void>;
}

const byDir = new Map<string, DirSyncs>();

/**
 * Makes the renames and unlinks done in `dir` so far durable (an fsync of the folder), off the
 * main thread. Group commit: callers that arrive while an fsync runs share the next one, which
 * starts after it (the running one may have begun before their rename), so sixteen runs ending
 * together in a DAG's folder cost two fsyncs, not sixteen. Never rejects: some platforms cannot
 * fsync a folder, which only weakens durability against a power loss.
 */
export function syncDir(dir: string): Promise<void> {
  let syncs = byDir.get(dir);
  if (syncs === undefined) byDir.set(dir, (syncs = {}));
  if (syncs.queued !== undefined) return syncs.queued;
  const { running } = syncs;
  if (running === undefined) return startSync(dir, syncs);
  const state = syncs;
  state.queued = running.then(() => {
    state.queued = undefined;
    return startSync(dir, state);
  });
  return state.queued;
}

function startSync(dir: string, syncs: DirSyncs): Promise<void> {
  const running = fsyncFolder(dir).finally(() => {
    if (syncs.running === running) syncs.running = undefined;
    if (syncs.running === undefined && syncs.queued === undefined) byDir.delete(dir);
  });
  syncs.running = running;
  return running;
}

// open, fsync and close on the thread pool; any failure is ignored (see syncDir).
function fsyncFolder(dir: string): Promise<void> {
  return new Promise((resolve) => {
    open(dir, "r", (openError, fd) => {
      if (openError) return resolve();
      fsync(fd, () => close(fd, () => resolve()));
    });
  });
}
