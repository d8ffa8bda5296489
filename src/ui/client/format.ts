// How times, durations and run types read on the page: short, and the same on every view.

/** 1.2s, 3m 04s, 2h 05m: as the terminal shows durations. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** An ISO timestamp as `2026-01-02 03:04` (UTC, as flow's run ids and the CLI). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** The date part of a logical date. */
export function formatDay(iso: string): string {
  return formatTime(iso).slice(0, 10);
}

/** One letter per run type in the grid's header: manual, scheduled, backfill. */
export function runTypeLetter(runType: string): string {
  if (runType === "manual") return "m";
  if (runType === "scheduled") return "s";
  if (runType === "backfill") return "b";
  return runType.slice(0, 1);
}

/** Tries as the CLI shows them: `2/3`, with interrupted tries counted apart. */
export function formatTries(task: {
  try_number: number;
  max_tries: number;
  interrupted_tries: number;
}): string {
  const base = `${task.try_number}/${task.max_tries}`;
  return task.interrupted_tries > 0 ? `${base}, ${task.interrupted_tries} interrupted` : base;
}

/** ` (lost)` after the state of a run or try lost with its flow process, as the CLI writes it. */
export function lostSuffix(lost: boolean | string | null | undefined): string {
  return lost ? " (lost)" : "";
}

/** Runs whose tasks still change: pages poll or listen while a run is in one of these. */
export function isActive(state: string | null | undefined): boolean {
  return (
    state === "running" ||
    state === "queued" ||
    state === "scheduled" ||
    state === "up_for_retry" ||
    state === "up_for_reschedule"
  );
}
