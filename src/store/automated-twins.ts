import type { DagRun } from "../core/run.js";

const AUTOMATED = ["scheduled", "backfill"] as const;

/**
 * The ids the other automated kind of run would have for `run`'s logical date: for
 * `backfill__2026-01-05T00:00:00+00:00`, `scheduled__2026-01-05T00:00:00+00:00`. Both kinds
 * share the same suffix (formatRunId), so a store checks one file to keep one automated run per
 * logical date. Manual runs have no twins.
 */
export function automatedTwins(run: Pick<DagRun, "run_id" | "run_type">): string[] {
  if (run.run_type === "manual") return [];
  const prefix = `${run.run_type}__`;
  if (!run.run_id.startsWith(prefix)) return [];
  const suffix = run.run_id.slice(prefix.length);
  return AUTOMATED.filter((type) => type !== run.run_type).map((type) => `${type}__${suffix}`);
}
