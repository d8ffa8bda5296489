import { apiPath } from "../api.js";
import { DagNav } from "../dag-nav.js";
import { useDagsEvents, useRunEvents } from "../events.js";
import { Legend } from "../legend.js";
import { formatDay, runTypeLetter } from "../format.js";
import { href } from "../route.js";
import { navigate } from "../router.js";
import type { GraphJson, GridJson } from "../types.js";
import { useApi } from "../use-api.js";
import { GraphSvg } from "./graph-svg.js";

/** The graph of a DAG for one run (the latest by default), chosen in a run selector. */
export function GraphPage(props: { readonly dag: string; readonly run: string | null }) {
  const graphPath =
    apiPath("dags", props.dag, "graph") +
    (props.run ? `?run=${encodeURIComponent(props.run)}` : "");
  const { data: graph, update, reload } = useApi<GraphJson>(graphPath);
  const { data: grid, reload: reloadRuns } = useApi<GridJson>(
    `${apiPath("dags", props.dag, "grid")}?offset=0&limit=25`,
  );

  useDagsEvents(reload);
  useRunEvents(props.dag, (run) => {
    const isNew = grid !== null && !grid.runs.some((r) => r.run_id === run.run_id);
    if (isNew) reloadRuns();
    // Showing the latest run (no ?run=): a new run becomes the one shown.
    if (isNew && props.run === null) return reload();
    if (graph === null || graph.run_id !== run.run_id) return;
    update((shown) => ({
      ...shown,
      nodes: shown.nodes.map((node) => ({
        ...node,
        state: run.tasks[node.task_id]?.state ?? node.state,
      })),
    }));
  });

  const selectedRun = graph?.run_id ?? props.run ?? "";
  return (
    <section>
      <DagNav dag={props.dag} tab="graph" />
      <div class="run-selector">
        <label>
          Run{" "}
          <select
            id="graph-run"
            value={selectedRun}
            onChange={(e) => navigate(href.graph(props.dag, e.currentTarget.value))}
          >
            {grid?.runs.length === 0 && <option value="">no runs yet</option>}
            {grid?.runs.map((run) => (
              <option key={run.run_id} value={run.run_id}>
                {`${runTypeLetter(run.run_type)} ${formatDay(run.logical_date)} · ${run.state} · ${run.run_id}`}
              </option>
            ))}
            {grid && selectedRun && !grid.runs.some((r) => r.run_id === selectedRun) && (
              <option value={selectedRun}>{selectedRun}</option>
            )}
          </select>
        </label>
      </div>
      {graph === null ? (
        <p class="loading">Laying out the graph…</p>
      ) : (
        <div class="graph-scroll">
          <GraphSvg
            graph={graph}
            onSelect={(task) => graph.run_id && navigate(href.log(props.dag, graph.run_id, task))}
          />
          <Legend />
        </div>
      )}
    </section>
  );
}
