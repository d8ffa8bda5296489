import { formatDuration } from "../../core/duration.js";
import { formatInZone } from "../../core/timetable-zone.js";
import type { NextRuns } from "../../ops/next-runs.js";
import type { ColorOption } from "./colors.js";
import { makeTable } from "./table.js";

/** The `flow next --json` shape: {dag_id, schedule, timezone, catchup, now, runs: [...]}. */
export function toNextRunsJson({ dag, now, runs }: NextRuns) {
  return {
    dag_id: dag.id,
    schedule: dag.schedule,
    timezone: dag.timezone,
    catchup: dag.catchup,
    now: now.toISOString(),
    runs: runs.map((run) => ({
      logical_date: run.interval.start.toISOString(),
      data_interval_start: run.interval.start.toISOString(),
      data_interval_end: run.interval.end.toISOString(),
      due_at: run.runAfter.toISOString(),
      due_at_local: formatInZone(run.runAfter, dag.timezone),
      due: run.runAfter <= now,
    })),
  };
}

/** What `flow next` prints: a header line, then a table of the runs (or that none are left). */
export function renderNextRuns({ dag, now, runs }: NextRuns, color: ColorOption): string {
  const zone = dag.timezone;
  const local = zone !== "UTC";
  const table = makeTable(
    [
      "logical date (UTC)",
      "data interval (UTC)",
      "due at (UTC)",
      ...(local ? [`due at (${zone})`] : []),
      "when",
    ],
    { color },
  );
  for (const run of runs) {
    const wait = run.runAfter.getTime() - now.getTime();
    table.push([
      short(run.interval.start),
      `${short(run.interval.start)} → ${short(run.interval.end)}`,
      short(run.runAfter),
      ...(local ? [formatInZone(run.runAfter, zone)] : []),
      wait <= 0 ? "due now" : `in ${formatDuration(wait)}`,
    ]);
  }
  const catchup = dag.catchup ? "catchup on" : "catchup off";
  const header = `${dag.id}  ${dag.schedule}  (${zone}, ${catchup}; now ${now.toISOString()})\n`;
  return `${header}${runs.length === 0 ? "no more runs: the schedule has ended\n" : `${table.toString()}\n`}`;
}

// `2026-01-03 00:00` (UTC, to the minute; seconds only when set): the table header names the zone.
function short(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, iso.slice(17, 19) === "00" ? 16 : 19)}`;
}
