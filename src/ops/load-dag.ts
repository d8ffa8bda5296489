import { NotFoundError, PipelineError } from "../errors.js";
import { homedir } from "node:os";
import { cacheDirFor } from "../loader/compiled-pipelines.js";
import { loadPipelines, type LoadedDag, type PipelineSet } from "../loader/load-pipelines.js";
import type { Workspace } from "./workspace.js";

/** Loads every pipeline in the pipelines folder. */
export function loadAll(workspace: Workspace): Promise<PipelineSet> {
  // FLOW_IMPORT_TIMEOUT_MS (default 30 s): a pipeline still importing after it is an import error.
  const timeout = Number(workspace.env.FLOW_IMPORT_TIMEOUT_MS);
  return loadPipelines(workspace.pipelinesDir, {
    cwd: workspace.cwd,
    cacheDir: cacheDirFor(workspace.env, homedir(), workspace.cwd),
    ...(Number.isInteger(timeout) && timeout > 0 && { importTimeoutMs: timeout }),
  });
}

/**
 * Loads the pipelines and picks one DAG. An invalid DAG is a pipeline error; an unknown id
 * lists the DAGs that exist (and suggests the closest).
 */
export async function loadDag(
  workspace: Workspace,
  dagId: string,
): Promise<{ pipelines: PipelineSet; loaded: LoadedDag }> {
  const pipelines = await loadAll(workspace);
  const loaded = pipelines.dags.get(dagId);
  if (loaded) return { pipelines, loaded };
  const broken = pipelines.errors.find((error) => error.dagId === dagId);
  if (broken) {
    const more =
      broken.messages.length > 1
        ? ` (and ${broken.messages.length - 1} more: run flow validate)`
        : "";
    throw new PipelineError(`${broken.messages[0]}${more}`);
  }
  const failed = pipelines.errors.filter((error) => !error.dagId).length;
  throw new NotFoundError("dag", dagId, [...pipelines.dags.keys()].sort(), {
    suggest: true,
    noneKnown: "no DAGs found",
    notes: failed > 0 ? [`${failed} pipeline file(s) failed to import: flow list shows why`] : [],
  });
}
