import { formatDay, formatDuration, lostSuffix } from "../format.js";
import { href } from "../route.js";
import { navigate } from "../router.js";
import { stateClass } from "../state-badge.js";
import type { DurationsJson } from "../types.js";

const WIDTH = 900;
const HEIGHT = 300;
const LEFT = 60;
const BOTTOM = 30;
const TOP = 16;

/** Durations as points over the runs (oldest left), joined by a line; a point opens its run. */
export function DurationsChart(props: { readonly dag: string; readonly data: DurationsJson }) {
  const points = props.data.points.filter((p) => p.duration_ms !== null);
  if (points.length === 0) {
    return <p class="muted">No finished try of {props.data.task_id} yet.</p>;
  }
  const max = Math.max(...points.map((p) => p.duration_ms ?? 0), 1);
  const step = points.length > 1 ? (WIDTH - LEFT - 20) / (points.length - 1) : 0;
  const x = (i: number) => LEFT + 10 + i * step;
  const y = (ms: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - ms / max);
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i)},${y(p.duration_ms ?? 0)}`);
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <svg class="durations" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT}>
      <line class="axis" x1={LEFT} y1={TOP} x2={LEFT} y2={HEIGHT - BOTTOM} />
      <line class="axis" x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH - 10} y2={HEIGHT - BOTTOM} />
      <text class="axis-label" x={LEFT - 6} y={TOP + 4}>
        {formatDuration(max)}
      </text>
      <text class="axis-label" x={LEFT - 6} y={HEIGHT - BOTTOM}>
        0s
      </text>
      <path class="duration-line" d={line.join(" ")} />
      {points.map((p, i) => (
        <circle
          key={p.run_id}
          class={`point ${stateClass(p.state)}`}
          data-run={p.run_id}
          data-state={p.state}
          cx={x(i)}
          cy={y(p.duration_ms ?? 0)}
          r={5}
          onClick={() => navigate(href.run(props.dag, p.run_id))}
        >
          <title>{`${p.run_id}: ${p.state}${lostSuffix(p.lost)}, ${formatDuration(p.duration_ms)} (try ${p.try_number})`}</title>
        </circle>
      ))}
      {first && (
        <text class="axis-label start" x={x(0)} y={HEIGHT - 10}>
          {formatDay(first.logical_date)}
        </text>
      )}
      {last && points.length > 1 && (
        <text class="axis-label" x={x(points.length - 1)} y={HEIGHT - 10}>
          {formatDay(last.logical_date)}
        </text>
      )}
    </svg>
  );
}
