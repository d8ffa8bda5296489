import type { DagRun } from "../core/run.js";
import { EXIT } from "../errors.js";
import type { LoadedDag, PipelineSet } from "../loader/load-pipelines.js";
import type { Workspace } from "../ops/workspace.js";
import type { ExecutorChoice } from "../runner/engine.js";
import type { StateStore } from "../store/state-store.js";
import type { CliContext } from "./context.js";
import { makeReporter } from "./output/reporter.js";
import { renderRunReport } from "./output/run-report.js";
import { toStatusJson } from "./output/status-json.js";
import { withEngine } from "./session.js";

/** How `flow run` and `flow retry` execute a stored run in the foreground. */
export interface ExecuteExistingRunOptions {
  readonly workspace: Workspace;
  readonly store: StateStore;
  readonly pipelines: PipelineSet;
  readonly loaded: LoadedDag;
  readonly runId: string;
  readonly parallelism?: number;
  /** How long running tasks may finish after Ctrl-C (default 30 s). */
  readonly graceMs?: number;
  /** Print the finished run as `flow status --json` instead of progress, tree and summary. */
  readonly json?: boolean;
  /** Where tries run (default local). */
  readonly executor?: ExecutorChoice;
}

/**
 * Executes a stored run from where it stands, with live progress, then prints the task tree and
 * the summary (or the JSON) and sets exit code 1 when the run did not succeed.
 */
export async function executeExistingRun(
  context: CliContext,
  options: ExecuteExistingRunOptions,
): Promise<DagRun> {
  const { dag } = options.loaded;
  const reporter = options.json ? undefined : makeReporter(context, dag.tasks.size);
  let finished: DagRun;
  try {
    finished = await withEngine(
      context,
      options.store,
      options.pipelines,
      {
        workspace: options.workspace,
        ...(options.parallelism && { parallelism: options.parallelism }),
        ...(options.graceMs !== undefined && { graceMs: options.graceMs }),
        resume: `flow run ${dag.id} --run ${options.runId}`,
        ...(options.executor && { executor: options.executor }),
      },
      (engine, stop) =>
        engine.execute(options.loaded, options.runId, {
          ...(reporter && { observer: reporter }),
          ...stop,
        }),
    );
  } finally {
    reporter?.close();
  }
  if (options.json)
    context.stdout.write(`${JSON.stringify(toStatusJson(dag.id, [finished]), null, 2)}\n`);
  else context.stdout.write(renderRunReport(dag, finished, context.color));
  if (finished.state !== "success") context.result.exitCode = EXIT.runFailed;
  return finished;
}
