import type { Dag } from "../core/dag.js";
import type { ShownRun } from "../core/lost-run.js";
import type { StateReader } from "../store/state-store.js";
import { findRun } from "./find-run.js";
import { dagSourceOf, showLostTries } from "./lost-tries-view.js";
import { openStoreForReading } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/**
 * One run with its task instances: `runId`, or the DAG's latest run when none is given (errors
 * as findRun's), with a dead owner's unfinished tries shown as lost. Reads that run only.
 */
export async function readRun(
  workspace: Workspace,
  dagId: string,
  runId: string | undefined,
  dag?: Dag,
): Promise<ShownRun> {
  return readRunWith(await openStoreForReading(workspace), workspace, dagId, runId, dag);
}

/** readRun through a reader the caller opened already. */
export async function readRunWith(
  reader: StateReader,
  workspace: Workspace,
  dagId: string,
  runId: string | undefined,
  dag?: Dag,
): Promise<ShownRun> {
  const source = dagSourceOf(workspace, dagId, dag);
  // A date given as the run is read in the DAG's timezone, as every command reads it.
  const timezone =
    runId !== undefined && /^\d{4}-/.test(runId) ? (await source())?.timezone : undefined;
  const run = await findRun(reader, dagId, runId, timezone ?? "UTC");
  const [shown] = await showLostTries(reader, [run], source, workspace.now());
  return shown!;
}
