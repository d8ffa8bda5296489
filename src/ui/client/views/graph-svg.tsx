import { stateClass } from "../state-badge.js";
import type { GraphJson } from "../types.js";

const MARGIN = 20;

// An edge through dagre's points: a straight polyline is honest to the layout and cheap.
function edgePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x + MARGIN},${p.y + MARGIN}`).join(" ");
}

/** The DAG as the server laid it out (dagre, left to right); nodes coloured by their state. */
export function GraphSvg(props: {
  readonly graph: GraphJson;
  readonly onSelect?: (task: string) => void;
}) {
  const { graph } = props;
  const width = graph.width + 2 * MARGIN;
  const height = graph.height + 2 * MARGIN;
  return (
    <svg class="graph" viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
        </marker>
      </defs>
      {graph.edges.map((edge) => (
        <path
          key={`${edge.from}->${edge.to}`}
          class="edge"
          data-from={edge.from}
          data-to={edge.to}
          d={edgePath(edge.points)}
          marker-end="url(#arrow)"
        />
      ))}
      {graph.nodes.map((node) => {
        const state = node.state ?? "none";
        const left = node.x - node.width / 2 + MARGIN;
        const top = node.y - node.height / 2 + MARGIN;
        return (
          <g
            key={node.task_id}
            class="node"
            data-task={node.task_id}
            data-state={state}
            onClick={() => props.onSelect?.(node.task_id)}
          >
            <title>{`${node.task_id}: ${state}, trigger rule ${node.trigger_rule}`}</title>
            <rect
              class={`node-box ${stateClass(state)}`}
              x={left}
              y={top}
              width={node.width}
              height={node.height}
              rx={6}
            />
            {/* The state colour frames a white body, so the label reads on every colour. */}
            <rect
              class="node-body"
              x={left + 8}
              y={top + 3}
              width={Math.max(0, node.width - 11)}
              height={Math.max(0, node.height - 6)}
              rx={4}
            />
            <text
              class="node-label"
              x={node.x + MARGIN + 4}
              y={node.y + MARGIN + (node.default_rule ? 4 : -2)}
            >
              {node.task_id}
            </text>
            {!node.default_rule && (
              <text class="node-rule" x={node.x + MARGIN + 4} y={node.y + MARGIN + 12}>
                {node.trigger_rule}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
