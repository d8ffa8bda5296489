import { callbackTimeoutFromEnv } from "../runner/callbacks.js";
import { InterruptedError } from "../errors.js";
import { LoadedTaskResolver } from "../loader/module-resolver.js";
import type { PipelineSet } from "../loader/load-pipelines.js";
import { findDag } from "../ops/load-dag.js";
import type { Workspace } from "../ops/workspace.js";
import { makeLocalEngine, type Engine, type ExecutorChoice } from "../runner/engine.js";
import type { StateStore } from "../store/state-store.js";
import type { CliContext } from "./context.js";
import { GracefulStop, type StopSignals } from "./graceful-stop.js";

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
  options: {
    /** Where `ctx.runtime.findDag` looks DAGs up (externalTask's check). */
    workspace: Workspace;
    parallelism?: number;
    graceMs?: number;
    /** The command that resumes the work once stopped, for the last line (`flow run etl --run ...`). */
    resume?: string;
    /** Where tries run (default local). */
    executor?: ExecutorChoice;
  },
  work: (engine: Engine, stop: StopSignals) => Promise<T>,
): Promise<T> {
  const engine = await makeLocalEngine(store, new LoadedTaskResolver(pipelines), {
    connections: { env: context.env, stateDir: store.location },
    ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
    ...(options.executor && { executor: options.executor }),
    callbackTimeoutMs: callbackTimeoutFromEnv(context.env.FLOW_CALLBACK_TIMEOUT_MS),
    findDag: (dagId) => findDag(options.workspace, dagId),
  });
  const stop = new GracefulStop(options.graceMs ?? DEFAULT_GRACE_MS).onStop(() => {
    if (stop.graceMs <= 0) return;
    context.stderr.write(
      `flow: stopping: running tasks have ${stop.graceMs / 1000}s to finish (Ctrl-C again stops them now)\n`,
    );
  });
  stop.listen();
  try {
    const result = await work(engine, { drain: stop.drain, signal: stop.signal });
    if (stop.stopping) {
      throw new InterruptedError(
        stop.signal.aborted
          ? "interrupted: running tasks were stopped and will run again when you resume"
          : "interrupted: running tasks finished; the rest runs when you resume",
        options.resume === undefined ? {} : { hint: `resume with: ${options.resume}` },
      );
    }
    return result;
  } finally {
    stop.dispose();
    await engine.close();
  }
}
