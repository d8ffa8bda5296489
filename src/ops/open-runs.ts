import type { RunWriter, StateStore } from "../store/state-store.js";

/**
 * Opens every run of `runIds` for writing, or none: if one is held by another live process
 * (LockError) or cannot be read, the ones already opened are released unchanged and the error
 * is rethrown. Nothing is written here, so a refusal leaves every run as it was.
 */
export async function openRuns(
  store: StateStore,
  dagId: string,
  runIds: readonly string[],
): Promise<RunWriter[]> {
  const writers: RunWriter[] = [];
  try {
    for (const runId of runIds) writers.push(await store.openRun(dagId, runId));
    return writers;
  } catch (error) {
    await closeRuns(writers);
    throw error;
  }
}

/** Releases every writer, even when one of them fails to close; rethrows the first failure. */
export async function closeRuns(writers: readonly RunWriter[]): Promise<void> {
  const results = await Promise.allSettled(writers.map((writer) => writer.close()));
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

/** Runs `work` with `runId` opened for writing, and gives the run up whatever happens. */
export async function withRun<T>(
  store: StateStore,
  dagId: string,
  runId: string,
  work: (writer: RunWriter) => T | Promise<T>,
): Promise<T> {
  const writer = await store.openRun(dagId, runId);
  try {
    return await work(writer);
  } finally {
    await writer.close();
  }
}
