import { apiPath } from "../api.js";
import { useDagsEvents, useRunEvents } from "../events.js";
import { formatDay, formatTime, lostSuffix, runTypeLetter } from "../format.js";
import { Link } from "../link.js";
import { href } from "../route.js";
import { stateClass } from "../state-badge.js";
import type { DagListItemJson, DagRunJson, DagsJson, ImportErrorJson } from "../types.js";
import { useApi } from "../use-api.js";
import { useCoalesced } from "../use-coalesced.js";

// A run event for a run the list shows: its square takes the run's new state.
function patchLastRuns(dags: DagsJson, run: DagRunJson): DagsJson {
  return {
    ...dags,
    dags: dags.dags.map((dag) =>
      dag.dag_id !== run.dag_id
        ? dag
        : {
            ...dag,
            last_runs: dag.last_runs.map((r) =>
              r.run_id === run.run_id ? { ...r, state: run.state, lost_at: run.lost_at } : r,
            ),
          },
    ),
  };
}

/** The home page: every DAG with its schedule, next run and last runs, and import errors. */
export function DagsPage() {
  const { data, reload, update } = useApi<DagsJson>(apiPath("dags"));
  useDagsEvents(reload);
  // A run the list does not show (new, or an older one cleared): where it goes is the server's
  // ordering, so fetch the list again, once per burst.
  const reloadSoon = useCoalesced(reload);
  useRunEvents(null, (run) => {
    const dag = data?.dags.find((d) => d.dag_id === run.dag_id);
    if (dag === undefined) return;
    if (dag.last_runs.some((r) => r.run_id === run.run_id)) {
      update((dags) => patchLastRuns(dags, run));
    } else {
      reloadSoon();
    }
  });
  if (data === null) return <p class="loading">Loading DAGs…</p>;
  return (
    <section>
      <h1>DAGs</h1>
      {data.import_errors.length > 0 && <ImportErrors errors={data.import_errors} />}
      {data.dags.length === 0 ? (
        <p class="empty">No DAGs found in the pipelines folder.</p>
      ) : (
        <table class="dags">
          <thead>
            <tr>
              <th>DAG</th>
              <th>Schedule</th>
              <th>Next run</th>
              <th>Last runs</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {data.dags.map((dag) => (
              <DagRow key={dag.dag_id} dag={dag} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DagRow({ dag }: { readonly dag: DagListItemJson }) {
  return (
    <tr data-dag={dag.dag_id}>
      <td>
        <Link href={href.grid(dag.dag_id)} class="dag-id">
          {dag.dag_id}
        </Link>
        {dag.description && <div class="description">{dag.description}</div>}
      </td>
      <td class="schedule">{dag.schedule ?? "none (manual only)"}</td>
      {dag.error === null ? <RunCells dag={dag} /> : <DagError error={dag.error} />}
      <td class="tags">
        {dag.tags.map((tag) => (
          <span key={tag} class="tag">
            {tag}
          </span>
        ))}
      </td>
    </tr>
  );
}

// A DAG whose runs cannot be read: the message where its next run and last runs would be.
function DagError({ error }: { readonly error: string }) {
  return (
    <td class="dag-error" colSpan={2}>
      <pre>{error}</pre>
    </td>
  );
}

function RunCells({ dag }: { readonly dag: DagListItemJson }) {
  return (
    <>
      <td class="next-run">
        {dag.next_run ? (
          <span
            title={`data interval ${formatTime(dag.next_run.data_interval_start)} to ${formatTime(dag.next_run.data_interval_end)}, due ${formatTime(dag.next_run.due_at)}`}
          >
            {formatTime(dag.next_run.logical_date)}
          </span>
        ) : (
          <span class="muted">none</span>
        )}
      </td>
      <td class="last-runs">
        {dag.last_runs.length === 0 && <span class="muted">no runs yet</span>}
        {[...dag.last_runs].reverse().map((run) => (
          <Link
            key={run.run_id}
            href={href.run(dag.dag_id, run.run_id)}
            title={`${run.run_id}: ${run.state}${lostSuffix(run.lost_at)} (${run.run_type}, ${formatDay(run.logical_date)})`}
          >
            <span
              class={`run-square ${stateClass(run.state)}`}
              data-run={run.run_id}
              data-state={run.state}
            >
              {runTypeLetter(run.run_type)}
            </span>
          </Link>
        ))}
        {dag.total_runs > 0 && (
          <span class="muted total">
            {" "}
            {dag.total_runs} {dag.total_runs === 1 ? "run" : "runs"}
          </span>
        )}
      </td>
    </>
  );
}

// The loader's message often starts with the place it was found; the page shows that apart.
function withoutPlace(error: ImportErrorJson): string {
  const place = `${error.file}${error.line !== null ? `:${error.line}` : ""}: `;
  return error.message.startsWith(place) ? error.message.slice(place.length) : error.message;
}

function ImportErrors({ errors }: { readonly errors: readonly ImportErrorJson[] }) {
  return (
    <section class="import-errors">
      <h2>Import errors</h2>
      <ul>
        {errors.map((error) => (
          <li key={`${error.file}:${error.line ?? ""}`} class="import-error" data-file={error.file}>
            <code>
              {error.file}
              {error.line !== null ? `:${error.line}` : ""}
            </code>
            <pre>{withoutPlace(error)}</pre>
          </li>
        ))}
      </ul>
    </section>
  );
}
