import type { DagList } from "../../ops/list-dags.js";

/**
 * The `flow list --json` shape: {dags: [...], import_errors: [...]}. Scripts read it: add
 * fields, never rename or remove them.
 */
export function toDagListJson(list: DagList) {
  return {
    dags: list.dags.map(({ dag, lastRuns }) => {
      const last = lastRuns[0];
      return {
        dag_id: dag.id,
        file: dag.file,
        description: dag.description ?? null,
        tags: [...dag.tags],
        schedule: dag.schedule,
        tasks: dag.tasks.size,
        last_run: last
          ? {
              run_id: last.run_id,
              logical_date: last.logical_date,
              state: last.state,
              // As in `flow status --json`: set while its dead flow process's run is unrecovered.
              lost_at: last.lost?.at ?? null,
            }
          : null,
      };
    }),
    import_errors: list.importErrors.map((error) => ({
      file: error.file,
      dag_id: error.dagId ?? null,
      messages: [...error.messages],
    })),
  };
}
