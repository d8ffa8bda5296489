import type { DagRun } from "../core/run.js";
import { sortRunRefs } from "./run-refs.js";

/** Orders runs as listings show them: oldest logical date first, ties by run id. */
export function sortRuns(runs: DagRun[]): DagRun[] {
  return sortRunRefs(runs);
}
