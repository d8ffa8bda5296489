import { InterruptedError } from "../errors.js";
import { LoadedTaskResolver } from "../loader/module-resolver.js";
import type { PipelineSet } from "../loader/load-pipelines.js";
import { makeLocalEngine, type Engine } from "../runner/engine.js";
import { FileStateStore } from "../store/file-store.js";
import type { StateStore } from "../store/state-store.js";
import { stateDir, type CliContext, type GlobalOptions } from "./context.js";

/**
 * Opens the state dir of this invocation. FLOW_LOCK_STALE_MS (a testing aid) shortens how long
 * the lock of a dead flow process blocks others (default 10 s).
 */
export function openStore(context: CliContext, options: GlobalOptions): Promise<FileStateStore> {
  const stale = Number(context.env.FLOW_LOCK_STALE_MS);
  return FileStateStore.open(
    stateDir(context, options),
    Number.isInteger(stale) && stale >= 2000 ? { lockStaleMs: stale } : {},
  );
}

/**
 * Runs `work` with a local engine and an AbortSignal that fires on the first Ctrl-C or SIGTERM,
 * so running tasks are stopped and left to run again. Executor helpers are always closed.
 */
export async function withEngine<T>(
  store: StateStore,
  pipelines: PipelineSet,
  options: { parallelism?: number },
  work: (engine: Engine, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const engine = await makeLocalEngine(store, new LoadedTaskResolver(pipelines), {
    ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
  });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await work(engine, abort.signal);
    if (abort.signal.aborted)
      throw new InterruptedError(
        "interrupted: running tasks were stopped and will run again when you resume",
      );
    return result;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await engine.close();
  }
}
