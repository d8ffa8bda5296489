import { relative } from "node:path";
import { LockError } from "../errors.js";
import { runSchedulerDaemon } from "../scheduler/daemon.js";
import { loadAll } from "./load-dag.js";
import { withSchedulerSession, type SchedulerOptions } from "./scheduler-session.js";
import type { Workspace } from "./workspace.js";

/**
 * `flow scheduler` in the foreground: under the scheduler lock, pass whenever a run is due, a
 * run ends or a pipeline file changes, until a stop request; then wait for the running runs (see
 * runSchedulerDaemon). Another live scheduler on the state dir is a LockError.
 */
export async function runScheduler(workspace: Workspace, options: SchedulerOptions): Promise<void> {
  const { log } = options;
  const outcome = await withSchedulerSession(workspace, options, async (session) => {
    const dir = workspace.pipelinesDir;
    log.info(
      `scheduler started (pid ${process.pid}, state dir ${session.store.location}, pipelines ${relative(workspace.cwd, dir) || dir}, ${session.pipelines.dags.size} dag(s))`,
    );
    await runSchedulerDaemon({
      store: session.store,
      engine: session.engine,
      resolver: session.resolver,
      pipelinesDir: dir,
      pipelines: session.pipelines,
      reload: () => loadAll(workspace),
      cwd: workspace.cwd,
      now: () => workspace.now(),
      log,
      drain: options.stop.drain,
      signal: options.stop.signal,
    });
    log.info("scheduler stopped");
  });
  if (!outcome.ran) throw new LockError(outcome.busy);
}
