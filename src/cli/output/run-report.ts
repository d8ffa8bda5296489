import type { Dag } from "../../core/dag.js";
import type { DagRun } from "../../core/run.js";
import { renderSummary } from "../render/summary.js";
import { renderLegend, renderTree } from "../render/tree.js";

/** What `flow run` prints when the run ends: the task tree in its final colours, then the summary. */
export function renderRunReport(dag: Dag, run: DagRun, color: boolean): string {
  return [
    "",
    renderTree(dag, run.tasks, { color }),
    renderLegend(color),
    "",
    renderSummary(run, color),
    "",
  ].join("\n");
}
