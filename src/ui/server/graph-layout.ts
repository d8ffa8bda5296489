import dagre from "@dagrejs/dagre";
import type { Dag } from "../../core/dag.js";
import type { DagRun } from "../../core/run.js";
import { DEFAULT_POLICY } from "../../core/task-policy.js";

// Sizes in SVG units: wide enough for the task id in the client's 13 px monospace font.
const NODE_HEIGHT = 36;
const CHAR_WIDTH = 8;
const PADDING = 32;
const MIN_WIDTH = 80;

interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * The graph view's layout: dagre, left to right, one node per task coloured by `run`'s state of
 * it (null when there is no run, or the run predates the task), edges upstream -> downstream.
 * Presentation only, so it lives with the server rather than in core.
 */
export function layOutGraph(dag: Dag, run: DagRun | undefined) {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 56, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const task of dag.tasks.values()) {
    const width = Math.max(MIN_WIDTH, task.id.length * CHAR_WIDTH + PADDING);
    graph.setNode(task.id, { width, height: NODE_HEIGHT });
  }
  for (const task of dag.tasks.values())
    for (const downstream of task.downstream) graph.setEdge(task.id, downstream);
  dagre.layout(graph);
  const size = graph.graph();
  return {
    run_id: run?.run_id ?? null,
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: [...dag.tasks.values()].map((task) => {
      const node = graph.node(task.id);
      return {
        task_id: task.id,
        x: node.x,
        y: node.y,
        width: node.width,
        height: node.height,
        state: run?.tasks[task.id]?.state ?? null,
        trigger_rule: task.triggerRule,
        default_rule: task.triggerRule === DEFAULT_POLICY.triggerRule,
      };
    }),
    edges: (graph.edges() as { v: string; w: string }[]).map((edge) => {
      const points = (graph.edge(edge) as { points?: Point[] }).points ?? [];
      return { from: edge.v, to: edge.w, points: points.map(({ x, y }) => ({ x, y })) };
    }),
  };
}
