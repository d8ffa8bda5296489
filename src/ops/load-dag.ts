import { closest } from "../core/did-you-mean.js";
import { NotFoundError, PipelineError } from "../errors.js";
import { homedir } from "node:os";
import { basename } from "node:path";
import { cacheDirFor } from "../loader/compiled-pipelines.js";
import {
  loadPipelines,
  type ImportError,
  type LoadedDag,
  type PipelineSet,
} from "../loader/load-pipelines.js";
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
  const failed = pipelines.errors.filter((error) => !error.dagId);
  const known = [...pipelines.dags.keys()].sort();
  if (failed.length > 0) throw mayBeInBrokenFile(dagId, known, failed);
  throw new NotFoundError("dag", dagId, known, { suggest: true, noneKnown: "no DAGs found" });
}

/**
 * The error for a DAG id no pipeline defines while some pipeline files failed to import: one of
 * them may define it, so this is a pipeline error (exit 3) that shows the import error (of the
 * file named like the DAG, if one is) rather than a usage error that hides it. One line.
 */
function mayBeInBrokenFile(
  dagId: string,
  known: readonly string[],
  failed: readonly ImportError[],
): PipelineError {
  const named = (error: ImportError): boolean =>
    basename(error.file).replace(/\.[^.]+$/, "") === dagId;
  const first = failed.find(named) ?? failed[0]!;
  const others = failed.length - 1;
  const more =
    others === 0
      ? ""
      : ` (and ${others} more file${others === 1 ? "" : "s"}: flow validate lists them)`;
  const imported =
    known.length === 0 ? "no DAG imported" : `known: ${known.map((id) => `"${id}"`).join(", ")}`;
  const guess = closest(dagId, known);
  return new PipelineError(
    `dag "${dagId}" is not defined by any pipeline that imported (${imported}), and a file that failed to import may define it: ${first.messages[0]}${more}`,
    {
      hint: `${guess ? `did you mean "${guess}"? ` : ""}fix the import error, then run the command again`,
    },
  );
}
