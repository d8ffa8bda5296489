import type { DagRun } from "../core/run.js";
import { parseZonedDate } from "../core/timetable-zone.js";
import { EXIT, FlowError, NotFoundError, UsageError } from "../errors.js";
import type { RunRef } from "../store/run-refs.js";
import type { StateReader } from "../store/state-store.js";

/**
 * The run `runId` of the DAG, or its latest run (by logical date) when no id is given. Run ids are
 * long to type, so `runId` may also be a unique prefix of one (`backfill__2026-11-24`) or a logical
 * date (`2026-11-24`, or an instant), read in `timezone` (the DAG's) when it has no offset. A
 * missing run is a usage error that names the newest run ids; an ambiguous one lists the candidates.
 * Only the run found is read, whatever the size of the history.
 */
export async function findRun(
  store: StateReader,
  dagId: string,
  runId: string | undefined,
  timezone: string,
): Promise<DagRun> {
  // An id that could not name a file (empty, a path) is simply not a run of the DAG.
  if (runId !== undefined && isStorableId(runId)) {
    const run = await store.getRun(dagId, runId);
    if (run) return run;
  }
  const refs = await store.listRunRefs(dagId);
  if (runId === undefined) {
    const latest = refs.at(-1);
    const run = latest && (await store.getRun(dagId, latest.run_id));
    if (run) return run;
    throw new FlowError(`dag "${dagId}" has no runs yet`, {
      exitCode: EXIT.usage,
      hint: `start one with: flow run ${dagId}`,
    });
  }
  const candidates = matchingRuns(refs, runId, timezone);
  const only =
    candidates.length === 1 ? await store.getRun(dagId, candidates[0]!.run_id) : undefined;
  if (only) return only;
  if (candidates.length > 1) {
    const shown = candidates.slice(0, MAX_CANDIDATES).map((ref) => `"${ref.run_id}"`);
    const more = candidates.length - shown.length;
    const ids = `${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
    throw new UsageError(`run "${runId}" of dag "${dagId}" could be any of ${ids}`, {
      hint: "give more of the run id",
    });
  }
  const latest = refs
    .slice(-5)
    .reverse()
    .map((ref) => ref.run_id);
  throw new NotFoundError("run", runId, latest, {
    of: `dag "${dagId}"`,
    label: "latest",
    noneKnown: "it has no runs yet",
  });
}

// Candidates named in an ambiguous --run error; a prefix like "backfill" can match thousands.
const MAX_CANDIDATES = 10;

// Whether an id can be a run's file name (src/store/state-paths.ts refuses the others).
function isStorableId(id: string): boolean {
  return id !== "" && !id.startsWith(".") && !/[/\\\0]/.test(id);
}

// The runs `given` names, most precise reading first: the run whose logical date is the instant
// `given` names (a date without an offset is read in the DAG's timezone), else the runs whose id
// starts with it, else those whose id's date part does (`2026-11-24` matches
// `scheduled__2026-11-24T00:00:00+00:00`).
function matchingRuns(refs: readonly RunRef[], given: string, timezone: string): RunRef[] {
  const isDate = /^\d{4}-\d{2}-\d{2}/.test(given);
  const instant = isDate ? parseZonedDate(given, timezone) : undefined;
  if (instant !== undefined && !Number.isNaN(instant.getTime())) {
    const at = instant.getTime();
    const onDate = refs.filter((ref) => Date.parse(ref.logical_date) === at);
    if (onDate.length > 0) return onDate;
  }
  const byPrefix = refs.filter((ref) => ref.run_id.startsWith(given));
  if (byPrefix.length > 0 || !isDate) return byPrefix;
  return refs.filter((ref) => ref.run_id.slice(ref.run_id.indexOf("__") + 2).startsWith(given));
}
