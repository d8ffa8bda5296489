import { formatDay, lostSuffix, runTypeLetter } from "../format.js";
import { Link } from "../link.js";
import { href } from "../route.js";
import { stateClass, stateSymbol } from "../state-badge.js";
import type { DagJson, RunJson } from "../types.js";
import { cellTitle } from "./cell-title.js";

export interface CellRef {
  readonly run: string;
  readonly task: string;
}

const RUN_TYPE_NAMES: Record<string, string> = { m: "manual", s: "scheduled", b: "backfill" };

/** Tasks as rows (indented by tree depth), runs as columns, newest first, one cell each. */
export function GridTable(props: {
  readonly dag: DagJson;
  readonly runs: readonly RunJson[];
  readonly selected: CellRef | null;
  readonly onSelect: (cell: CellRef) => void;
}) {
  const { dag, runs, selected } = props;
  return (
    <table class="grid">
      <thead>
        <tr>
          <th class="task-head">Task</th>
          {runs.map((run) => {
            const letter = runTypeLetter(run.run_type);
            return (
              <th
                key={run.run_id}
                data-run={run.run_id}
                data-run-type={run.run_type}
                data-state={run.state}
                class="run-head"
                title={`${run.run_id}: ${run.state}${lostSuffix(run.lost_at)} (${RUN_TYPE_NAMES[letter] ?? run.run_type})`}
              >
                <Link href={href.run(dag.dag_id, run.run_id)}>
                  <span class={`run-type run-type-${letter}`}>{letter}</span>
                  <span class="run-date">{formatDay(run.logical_date).slice(5)}</span>
                  <span class={`run-bar ${stateClass(run.state)}`} />
                </Link>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {dag.tasks.map((spec) => (
          <tr key={spec.task_id}>
            <th class={`task-name depth-${Math.min(spec.depth, 8)}`} scope="row">
              {spec.task_id}
            </th>
            {runs.map((run) => {
              const task = run.tasks[spec.task_id];
              const state = task?.state ?? "none";
              const isSelected =
                selected !== null && selected.run === run.run_id && selected.task === spec.task_id;
              return (
                <td
                  key={run.run_id}
                  class={`cell ${stateClass(state)}${isSelected ? " selected" : ""}`}
                  data-task={spec.task_id}
                  data-run={run.run_id}
                  data-state={state}
                  title={cellTitle(spec.task_id, task)}
                  tabIndex={0}
                  onClick={() => props.onSelect({ run: run.run_id, task: spec.task_id })}
                  onKeyDown={(event) => {
                    if (event.key === "Enter" || event.key === " ") {
                      event.preventDefault();
                      props.onSelect({ run: run.run_id, task: spec.task_id });
                    }
                  }}
                >
                  {stateSymbol(state)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
