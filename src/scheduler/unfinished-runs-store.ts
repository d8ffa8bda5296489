import type { DagRun } from "../core/run.js";
import { isRunFinished } from "../core/states.js";
import type { RunWriter, StateStore } from "../store/state-store.js";

/** A run that ended between the moment the scheduler listed it and the moment it took it. */
export class RunAlreadyFinishedError extends Error {
  constructor(readonly run: DagRun) {
    super(`run "${run.run_id}" of dag "${run.dag_id}" is already ${run.state}`);
    this.name = "RunAlreadyFinishedError";
  }
}

/**
 * The store as the scheduler's engine sees it: opening a run that has already finished gives it
 * back and throws RunAlreadyFinishedError. The check happens under the run's lock, so a run
 * another flow process finished after we listed it as queued is never started again.
 */
export function unfinishedRunsOnly(store: StateStore): StateStore {
  const openRun = async (dagId: string, runId: string): Promise<RunWriter> => {
    const writer = await store.openRun(dagId, runId);
    if (!isRunFinished(writer.run.state)) return writer;
    await writer.close();
    throw new RunAlreadyFinishedError(writer.run);
  };
  // A proxy rather than a copy of each method: whatever the StateStore interface gains passes through.
  return new Proxy(store, {
    get(target, key) {
      if (key === "openRun") return openRun;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
