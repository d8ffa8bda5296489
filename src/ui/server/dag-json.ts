import type { Dag } from "../../core/dag.js";
import type { DagList } from "../../ops/list-dags.js";
import { taskDepths } from "./task-depths.js";

/** A DAG's structure for the grid: tasks in topological order with their tree depth. */
export function toDagJson(dag: Dag) {
  const depths = taskDepths(dag);
  return {
    dag_id: dag.id,
    schedule: dag.schedule,
    timezone: dag.timezone,
    tasks: [...dag.tasks.values()].map((task) => ({
      task_id: task.id,
      kind: task.kind,
      upstream: [...task.upstream],
      downstream: [...task.downstream],
      trigger_rule: task.triggerRule,
      depth: depths.get(task.id) ?? 0,
    })),
  };
}

/**
 * GET /api/dags: every DAG with its next run and last runs, then the import errors by message. A
 * DAG with a run file flow cannot read has its one-line message (the CLI's) as `error`.
 */
export function toDagListJson(list: DagList) {
  return {
    dags: list.dags.map(({ dag, lastRuns, totalRuns, nextRun, error }) => ({
      dag_id: dag.id,
      description: dag.description ?? null,
      tags: [...dag.tags],
      schedule: dag.schedule,
      timezone: dag.timezone,
      file: dag.file,
      next_run: nextRun && {
        logical_date: nextRun.interval.start.toISOString(),
        data_interval_start: nextRun.interval.start.toISOString(),
        data_interval_end: nextRun.interval.end.toISOString(),
        due_at: nextRun.runAfter.toISOString(),
      },
      last_runs: lastRuns.map((run) => ({
        run_id: run.run_id,
        run_type: run.run_type,
        state: run.state,
        logical_date: run.logical_date,
        lost_at: run.lost?.at ?? null,
      })),
      total_runs: totalRuns,
      error: error?.message ?? null,
    })),
    import_errors: list.importErrors.flatMap((error) =>
      error.messages.map((message) => ({
        file: error.file,
        line: lineOf(message, error.file),
        message,
      })),
    ),
  };
}

// Import messages start with `<file>:<line>:` when the error says where (describeImportError).
function lineOf(message: string, file: string): number | null {
  if (!message.startsWith(`${file}:`)) return null;
  const match = /^(\d+)[:]/.exec(message.slice(file.length + 1));
  return match ? Number(match[1]) : null;
}
