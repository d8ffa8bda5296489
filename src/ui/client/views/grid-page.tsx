import { useState } from "preact/hooks";
import { ClearPanel } from "../actions/clear-panel.js";
import { TaskPanel } from "../actions/task-panel.js";
import { TriggerForm } from "../actions/trigger-form.js";
import { apiPath } from "../api.js";
import { DagNav } from "../dag-nav.js";
import { useDagsEvents, useRunEvents } from "../events.js";
import { Legend } from "../legend.js";
import type { GridJson } from "../types.js";
import { useApi } from "../use-api.js";
import { useCoalesced } from "../use-coalesced.js";
import { GridTable, type CellRef } from "./grid-table.js";

const PAGE = 25;

/** The grid of a DAG: 25 runs a page, newest first; live run events patch cells in place. */
export function GridPage({ dag }: { readonly dag: string }) {
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<CellRef | null>(null);
  const path = `${apiPath("dags", dag, "grid")}?offset=${offset}&limit=${PAGE}`;
  const { data, reload, update } = useApi<GridJson>(path);
  const reloadSoon = useCoalesced(reload);

  // A pipeline changed: the DAG's tasks (the grid's rows) may have too.
  useDagsEvents(reload);
  useRunEvents(dag, (run) => {
    if (data?.runs.some((shown) => shown.run_id === run.run_id)) {
      update((grid) => ({
        ...grid,
        runs: grid.runs.map((shown) => (shown.run_id === run.run_id ? run : shown)),
      }));
    } else if (offset === 0) {
      // A run this page does not show yet: where it goes (and what drops off) is the server's
      // ordering, so fetch the page again.
      reloadSoon();
    }
  });

  const trigger = <TriggerForm dag={dag} />;
  if (data === null) {
    return (
      <section>
        <DagNav dag={dag} tab="grid">
          {trigger}
        </DagNav>
        <p class="loading">Loading the grid…</p>
      </section>
    );
  }
  const selectedRun = selected && data.runs.find((run) => run.run_id === selected.run);
  const last = Math.min(data.offset + data.runs.length, data.total);
  return (
    <section>
      <DagNav dag={dag} tab="grid">
        {trigger}
      </DagNav>
      <div class="pager">
        <button
          type="button"
          id="newer"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE))}
        >
          ← Newer
        </button>
        <span class="muted">
          {data.total === 0
            ? "no runs yet"
            : `runs ${data.offset + 1}–${last} of ${data.total}, newest first`}
        </span>
        <button
          type="button"
          id="older"
          disabled={offset + PAGE >= data.total}
          onClick={() => setOffset(offset + PAGE)}
        >
          Older →
        </button>
      </div>
      <div class="grid-layout">
        <div class="grid-scroll">
          <GridTable dag={data.dag} runs={data.runs} selected={selected} onSelect={setSelected} />
          <Legend />
        </div>
        {selected !== null && selectedRun ? (
          <TaskPanel
            dag={dag}
            run={selected.run}
            task={selected.task}
            instance={selectedRun.tasks[selected.task]}
            onDone={reload}
            onClose={() => setSelected(null)}
          />
        ) : (
          <ClearPanel dag={dag} onDone={reload} />
        )}
      </div>
    </section>
  );
}
