import { formatDuration, lostSuffix } from "../format.js";
import { stateClass } from "../state-badge.js";
import type { DagJson, RunJson } from "../types.js";

const ROW = 22;
const LABEL = 160;
const WIDTH = 900;

/**
 * The run's tries over time: one bar per task from its latest try's start to its end (or to now
 * while it runs), on one time axis from the first start to the last end.
 */
export function Gantt(props: { readonly dag: DagJson | null; readonly run: RunJson }) {
  const now = Date.now();
  const order = props.dag?.tasks.map((t) => t.task_id) ?? Object.keys(props.run.tasks);
  const bars = order.flatMap((taskId) => {
    const ti = props.run.tasks[taskId];
    if (!ti?.start) return [];
    const start = Date.parse(ti.start);
    const end = ti.end ? Date.parse(ti.end) : now;
    const lost = ti.lost;
    return [
      { taskId, start, end: Math.max(end, start), state: ti.state, ms: ti.duration_ms, lost },
    ];
  });
  if (bars.length === 0) return <p class="muted">No task has started yet.</p>;
  const t0 = Math.min(...bars.map((b) => b.start));
  const t1 = Math.max(...bars.map((b) => b.end), t0 + 1);
  const scale = (WIDTH - LABEL - 10) / (t1 - t0);
  const height = bars.length * ROW + 24;
  return (
    <svg class="gantt" viewBox={`0 0 ${WIDTH} ${height}`} width={WIDTH} height={height}>
      {bars.map((bar, i) => (
        <g key={bar.taskId}>
          <text class="gantt-label" x={LABEL - 6} y={i * ROW + 15}>
            {bar.taskId}
          </text>
          <rect
            class={`gantt-bar ${stateClass(bar.state)}`}
            data-task={bar.taskId}
            data-state={bar.state}
            x={LABEL + (bar.start - t0) * scale}
            y={i * ROW + 3}
            width={Math.max(2, (bar.end - bar.start) * scale)}
            height={ROW - 6}
          >
            <title>{`${bar.taskId}: ${bar.state}${lostSuffix(bar.lost)}, ${formatDuration(bar.ms ?? bar.end - bar.start)}`}</title>
          </rect>
        </g>
      ))}
      <text class="gantt-axis" x={LABEL} y={height - 6}>
        0s
      </text>
      <text class="gantt-axis end" x={WIDTH - 10} y={height - 6}>
        {formatDuration(t1 - t0)}
      </text>
    </svg>
  );
}
