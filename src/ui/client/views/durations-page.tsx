import { apiPath } from "../api.js";
import { DagNav } from "../dag-nav.js";
import { href } from "../route.js";
import { navigate } from "../router.js";
import type { DurationsJson, GridJson } from "../types.js";
import { useApi } from "../use-api.js";
import { DurationsChart } from "./durations-chart.js";

/** A task's durations over the last runs; the task is chosen in a selector (the first by default). */
export function DurationsPage(props: { readonly dag: string; readonly task: string | null }) {
  const { data: grid } = useApi<GridJson>(`${apiPath("dags", props.dag, "grid")}?offset=0&limit=1`);
  const task = props.task ?? grid?.dag.tasks[0]?.task_id ?? null;
  const { data } = useApi<DurationsJson>(
    task === null
      ? null
      : `${apiPath("dags", props.dag, "durations")}?task=${encodeURIComponent(task)}&limit=50`,
  );
  return (
    <section>
      <DagNav dag={props.dag} tab="durations" />
      <div class="toolbar">
        <label>
          Task{" "}
          <select
            id="durations-task"
            value={task ?? ""}
            onChange={(e) => navigate(href.durations(props.dag, e.currentTarget.value))}
          >
            {grid?.dag.tasks.map((t) => (
              <option key={t.task_id} value={t.task_id}>
                {t.task_id}
              </option>
            ))}
          </select>
        </label>
      </div>
      {data === null ? (
        <p class="loading">Loading durations…</p>
      ) : (
        <DurationsChart dag={props.dag} data={data} />
      )}
    </section>
  );
}
