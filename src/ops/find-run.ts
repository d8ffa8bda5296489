import type { DagRun } from "../core/run.js";
import { parseZonedDate } from "../core/timetable-zone.js";
import { EXIT, FlowError, NotFoundError, UsageError } from "../errors.js";
import type { StateStore } from "../store/state-store.js";

/**
 * The run `runId` of the DAG, or its latest run (by logical date) when no id is given. Run ids are
 * long to type, so `runId` may also be a unique prefix of one (`backfill__2026-11-24`) or a logical
 * date (`2026-11-24`, or an instant), read in `timezone` (the DAG's) when it has no offset. A
 * missing run is a usage error that names the newest run ids; an ambiguous one lists the candidates.
 */
export async function findRun(
  store: StateStore,
  dagId: string,
  runId: string | undefined,
  timezone = "UTC",
): Promise<DagRun> {
  if (runId !== undefined) {
    const run = await store.getRun(dagId, runId);
    if (run) return run;
  }
  const runs = await store.listRuns(dagId);
  if (runId === undefined) {
    const latest = runs.at(-1);
    if (latest) return latest;
    throw new FlowError(`dag "${dagId}" has no runs yet`, {
      exitCode: EXIT.usage,
      hint: `start one with: flow run ${dagId}`,
    });
  }
  const candidates = matchingRuns(runs, runId, timezone);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    const ids = candidates.map((run) => `"${run.run_id}"`).join(", ");
    throw new UsageError(`run "${runId}" of dag "${dagId}" could be any of ${ids}`, {
      hint: "give more of the run id",
    });
  }
  const latest = runs
    .slice(-5)
    .reverse()
    .map((run) => run.run_id);
  throw new NotFoundError("run", runId, latest, {
    of: `dag "${dagId}"`,
    label: "latest",
    noneKnown: "it has no runs yet",
  });
}

// The runs `given` names, most precise reading first: the run whose logical date is the instant
// `given` names (a date without an offset is read in the DAG's timezone), else the runs whose id
// starts with it, else those whose id's date part does (`2026-11-24` matches
// `scheduled__2026-11-24T00:00:00+00:00`).
function matchingRuns(runs: readonly DagRun[], given: string, timezone: string): DagRun[] {
  const isDate = /^\d{4}-\d{2}-\d{2}/.test(given);
  const instant = isDate ? parseZonedDate(given, timezone) : undefined;
  if (instant !== undefined && !Number.isNaN(instant.getTime())) {
    const at = instant.toISOString();
    const onDate = runs.filter((run) => run.logical_date === at);
    if (onDate.length > 0) return onDate;
  }
  const byPrefix = runs.filter((run) => run.run_id.startsWith(given));
  if (byPrefix.length > 0 || !isDate) return byPrefix;
  return runs.filter((run) => run.run_id.slice(run.run_id.indexOf("__") + 2).startsWith(given));
}
