import { useState } from "preact/hooks";
import { RetryButton } from "../actions/retry-button.js";
import { TaskPanel } from "../actions/task-panel.js";
import { apiPath } from "../api.js";
import { DagNav } from "../dag-nav.js";
import { useRunEvents } from "../events.js";
import { formatDuration, formatTime, formatTries } from "../format.js";
import { Link } from "../link.js";
import { href } from "../route.js";
import { LostBadge, StateBadge } from "../state-badge.js";
import type { DagRunJson, GridJson } from "../types.js";
import { useApi } from "../use-api.js";
import { Gantt } from "./gantt.js";

// What the lost badge explains: the state shown is the recovery's, ended when flow last saw it.
function lostTitle(at: string): string {
  return `its flow process died (last seen alive ${formatTime(at)}); shown as the next command that writes will record it`;
}

/** One run: its tasks with state, tries, durations and reasons, and a Gantt of its tries. */
export function RunPage(props: { readonly dag: string; readonly run: string }) {
  const {
    data: run,
    reload,
    update,
  } = useApi<DagRunJson>(apiPath("dags", props.dag, "runs", props.run));
  // The DAG's task order and depths come with the grid; one run is enough to carry them.
  const { data: grid } = useApi<GridJson>(`${apiPath("dags", props.dag, "grid")}?offset=0&limit=1`);
  const [selected, setSelected] = useState<string | null>(null);
  useRunEvents(props.dag, (event) => {
    if (event.run_id === props.run) update(() => event);
  });
  if (run === null) {
    return (
      <section>
        <DagNav dag={props.dag} tab="run" />
        <p class="loading">Loading the run…</p>
      </section>
    );
  }
  const order = grid?.dag.tasks.map((t) => t.task_id) ?? Object.keys(run.tasks);
  return (
    <section>
      <DagNav dag={props.dag} tab="run" />
      <div class="run-head-line">
        <h2>
          {run.run_id} <StateBadge state={run.state} />
          {run.lost_at && <LostBadge title={lostTitle(run.lost_at)} />}
        </h2>
        {(run.state === "failed" || Object.values(run.tasks).some((t) => t.state === "failed")) && (
          <RetryButton dag={props.dag} run={run.run_id} />
        )}
      </div>
      <p class="run-facts">
        {run.run_type} run · data interval {formatTime(run.data_interval_start)} to{" "}
        {formatTime(run.data_interval_end)} · started {formatTime(run.start) || "not yet"}
        {run.lost_at
          ? ` · lost at ${formatTime(run.lost_at)}`
          : run.end
            ? ` · ended ${formatTime(run.end)}`
            : ""}
        {run.reason ? ` · ${run.reason}` : ""} ·{" "}
        <Link href={href.graph(props.dag, run.run_id)}>graph</Link>
      </p>
      <div class="grid-layout">
        <table class="tasks">
          <thead>
            <tr>
              <th>Task</th>
              <th>State</th>
              <th>Try</th>
              <th>Start</th>
              <th>Duration</th>
              <th>Reason</th>
              <th>Log</th>
            </tr>
          </thead>
          <tbody>
            {order.map((taskId) => {
              const ti = run.tasks[taskId];
              const state = ti?.state ?? "none";
              return (
                <tr
                  key={taskId}
                  data-task={taskId}
                  data-state={state}
                  class={selected === taskId ? "selected" : ""}
                  onClick={() => setSelected(taskId)}
                >
                  <td class="task-name">{taskId}</td>
                  <td>
                    <StateBadge state={state} />
                    {ti?.lost && run.lost_at && <LostBadge title={lostTitle(run.lost_at)} />}
                  </td>
                  <td>
                    {ti ? formatTries(ti) : ""}
                    {ti?.worker ? ` on ${ti.worker}` : ""}
                  </td>
                  <td>{formatTime(ti?.start)}</td>
                  <td>{formatDuration(ti?.duration_ms)}</td>
                  <td class="reason">{ti?.reason ?? ""}</td>
                  <td>
                    <Link href={href.log(props.dag, run.run_id, taskId)}>log</Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {selected !== null && (
          <TaskPanel
            dag={props.dag}
            run={run.run_id}
            task={selected}
            instance={run.tasks[selected]}
            onDone={reload}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
      <h3>Gantt</h3>
      <Gantt dag={grid?.dag ?? null} run={run} />
    </section>
  );
}
