import { InterruptedError } from "../errors.js";
import { LoadedTaskResolver } from "../loader/module-resolver.js";
import type { PipelineSet } from "../loader/load-pipelines.js";
import { makeLocalEngine, type Engine } from "../runner/engine.js";
import type { StateStore } from "../store/state-store.js";
import type { CliContext } from "./context.js";

/** How work under withEngine is told to stop. */
export interface StopSignals {
  /** First Ctrl-C or SIGTERM: start nothing new, let running tasks end. */
  readonly drain: AbortSignal;
  /** The grace period is over, or a second signal came: stop the running tasks. */
  readonly signal: AbortSignal;
}

/** How long running tasks may go on after the first Ctrl-C or SIGTERM, by default. */
export const DEFAULT_GRACE_MS = 30_000;

/**
 * Runs `work` with a local engine and a graceful stop: the first Ctrl-C or SIGTERM starts
 * nothing new and gives running tasks `graceMs` to end; then, or at a second signal, they are
 * stopped and left to run again (their runs go back to queued). Executor helpers are always
 * closed. A stopped command ends with InterruptedError (exit 130).
 */
export async function withEngine<T>(
  context: CliContext,
  store: StateStore,
  pipelines: PipelineSet,
  options: { parallelism?: number; graceMs?: number },
  work: (engine: Engine, stop: StopSignals) => Promise<T>,
): Promise<T> {
  const engine = await makeLocalEngine(store, new LoadedTaskResolver(pipelines), {
    ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
  });
  const drain = new AbortController();
  const abort = new AbortController();
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (): void => {
    if (drain.signal.aborted) return abort.abort();
    drain.abort();
    if (graceMs <= 0) return abort.abort();
    context.stderr.write(
      `flow: stopping: running tasks have ${graceMs / 1000}s to finish (Ctrl-C again stops them now)\n`,
    );
    timer = setTimeout(() => abort.abort(), graceMs);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await work(engine, { drain: drain.signal, signal: abort.signal });
    if (drain.signal.aborted) {
      throw new InterruptedError(
        abort.signal.aborted
          ? "interrupted: running tasks were stopped and will run again when you resume"
          : "interrupted: running tasks finished; the rest runs when you resume",
      );
    }
    return result;
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await engine.close();
  }
}
