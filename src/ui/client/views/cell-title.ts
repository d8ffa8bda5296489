import { formatDuration, formatTries, lostSuffix } from "../format.js";
import type { TaskJson } from "../types.js";

/** What hovering a cell tells: state, tries and duration (the grid's cells have no room for it). */
export function cellTitle(taskId: string, task: TaskJson | undefined): string {
  if (task === undefined) return `${taskId}: no task instance`;
  const on = task.worker ? ` on ${task.worker}` : "";
  const parts = [
    `${taskId}: ${task.state}${lostSuffix(task.lost)}`,
    `try ${formatTries(task)}${on}`,
  ];
  if (task.duration_ms !== null) parts.push(formatDuration(task.duration_ms));
  if (task.reason) parts.push(task.reason);
  return parts.join(", ");
}
