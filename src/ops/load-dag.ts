import { closest } from "../core/did-you-mean.js";
import type { DagLookup } from "../core/external-target.js";
import { NotFoundError, PipelineError, type FlowError } from "../errors.js";
import { homedir } from "node:os";
import { basename } from "node:path";
import { apiModuleUrl } from "../loader/api-module.js";
import { cacheDirFor } from "../loader/compiled-pipelines.js";
import { indexedDagFile, writeDagIndex } from "../loader/dag-index.js";
import { discoverPipelineFiles } from "../loader/discover.js";
import {
  loadPipelines,
  type ImportError,
  type LoadedDag,
  type LoadOptions,
  type PipelineSet,
} from "../loader/load-pipelines.js";
import type { Workspace } from "./workspace.js";

/** Loads every pipeline in the pipelines folder (and notes where each DAG is: dag-index.ts). */
export async function loadAll(workspace: Workspace): Promise<PipelineSet> {
  return loadEvery(pipelineLoad(workspace));
}

/** What one load of the pipelines folder works from: its files, as listed once. */
interface PipelineLoad {
  readonly dir: string;
  readonly files: readonly string[];
  readonly options: LoadOptions;
}

function pipelineLoad(workspace: Workspace): PipelineLoad {
  // FLOW_IMPORT_TIMEOUT_MS (default 30 s): a pipeline still importing after it is an import error.
  const timeout = Number(workspace.env.FLOW_IMPORT_TIMEOUT_MS);
  const dir = workspace.pipelinesDir;
  return {
    dir,
    files: discoverPipelineFiles(dir),
    options: {
      cwd: workspace.cwd,
      cacheDir: cacheDirFor(workspace.env, homedir(), workspace.cwd),
      ...(Number.isInteger(timeout) && timeout > 0 && { importTimeoutMs: timeout }),
    },
  };
}

async function loadEvery({ dir, files, options }: PipelineLoad): Promise<PipelineSet> {
  const started = Date.now();
  const pipelines = await loadPipelines(dir, { ...options, files });
  if (options.cacheDir)
    writeDagIndex(options.cacheDir, apiModuleUrl(), dir, files, pipelines, started);
  return pipelines;
}

// Only the file the DAG index names for `dagId`, when the index is current and that file still
// defines it cleanly; undefined sends the caller to a load of every pipeline.
async function loadIndexedDag(
  { dir, files, options }: PipelineLoad,
  dagId: string,
): Promise<{ pipelines: PipelineSet; loaded: LoadedDag } | undefined> {
  if (!options.cacheDir) return undefined;
  const file = indexedDagFile(options.cacheDir, apiModuleUrl(), dir, files, dagId);
  if (file === undefined) return undefined;
  const pipelines = await loadPipelines(dir, { ...options, files: [file] });
  const loaded = pipelines.dags.get(dagId);
  return loaded && pipelines.errors.length === 0 ? { pipelines, loaded } : undefined;
}

/**
 * Loads the pipelines and picks one DAG: only its own file while the DAG index is current (see
 * dag-index.ts), else every file. An invalid DAG is a pipeline error; an unknown id lists the
 * DAGs that exist (and suggests the closest).
 */
export async function loadDag(
  workspace: Workspace,
  dagId: string,
): Promise<{ pipelines: PipelineSet; loaded: LoadedDag }> {
  const found = await searchDag(workspace, dagId);
  if ("error" in found) throw found.error;
  return found;
}

/**
 * DAG `dagId` as the pipelines folder defines it now (`ctx.runtime.findDag`, what externalTask
 * checks its dag and task against): loaded as loadDag loads it, its errors turned into data.
 */
export async function findDag(workspace: Workspace, dagId: string): Promise<DagLookup> {
  const found = await searchDag(workspace, dagId);
  if (!("error" in found)) return { kind: "defined", taskIds: [...found.loaded.dag.tasks.keys()] };
  if (found.error instanceof NotFoundError) return { kind: "unknown", dagIds: found.error.known };
  return { kind: "broken", problem: found.error.message };
}

// loadDag's work: the DAG, or the error that says why there is none.
async function searchDag(
  workspace: Workspace,
  dagId: string,
): Promise<{ pipelines: PipelineSet; loaded: LoadedDag } | { error: FlowError }> {
  const load = pipelineLoad(workspace);
  const indexed = await loadIndexedDag(load, dagId);
  if (indexed) return indexed;
  const pipelines = await loadEvery(load);
  const loaded = pipelines.dags.get(dagId);
  if (loaded) return { pipelines, loaded };
  const broken = pipelines.errors.find((error) => error.dagId === dagId);
  if (broken) {
    const more =
      broken.messages.length > 1
        ? ` (and ${broken.messages.length - 1} more: run flow validate)`
        : "";
    return { error: new PipelineError(`${broken.messages[0]}${more}`) };
  }
  const failed = pipelines.errors.filter((error) => !error.dagId);
  const known = [...pipelines.dags.keys()].sort();
  if (failed.length > 0) return { error: mayBeInBrokenFile(dagId, known, failed) };
  return {
    error: new NotFoundError("dag", dagId, known, { suggest: true, noneKnown: "no DAGs found" }),
  };
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
