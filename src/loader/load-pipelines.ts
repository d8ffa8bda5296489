import { relative } from "node:path";
import { isDagDefinition, type Task } from "../api/definitions.js";
import { buildDag, formatIssue } from "../core/build-dag.js";
import type { Dag } from "../core/dag.js";
import { collectCallbacks, type DagCallbacks } from "./callbacks.js";
import { describeImportError } from "./describe-import-error.js";
import { discoverPipelineFiles } from "./discover.js";
import { apiModuleUrl } from "./api-module.js";
import { compiledPipelineUrl, freshPipelineUrl } from "./compiled-pipelines.js";
import { toDagInput } from "./to-dag-input.js";

/** A valid DAG, with the task objects its executors resolve references to. */
export interface LoadedDag {
  readonly dag: Dag;
  /** Absolute path of the pipeline module. */
  readonly file: string;
  readonly tasks: ReadonlyMap<string, Task>;
  readonly callbacks: DagCallbacks;
}

/** A pipeline file that failed to import, or a DAG in it that is invalid. */
export interface ImportError {
  /** As shown to the user: relative to the working directory. */
  readonly file: string;
  /** Set when the file imported but this DAG is invalid. */
  readonly dagId?: string;
  /** One line per problem. */
  readonly messages: readonly string[];
}

export interface PipelineSet {
  readonly dir: string;
  readonly dags: ReadonlyMap<string, LoadedDag>;
  readonly errors: readonly ImportError[];
}

export interface LoadOptions {
  readonly cwd: string;
  /** A pipeline module that has not finished importing after this long is an import error. */
  readonly importTimeoutMs?: number;
  /** The compile cache's folder (see compiled-pipelines.ts); undefined: no cache. */
  readonly cacheDir?: string | undefined;
  /** Import only these pipeline files (absolute paths) rather than every one in `dir`. */
  readonly files?: readonly string[];
}

/**
 * Imports every pipeline module in `dir` and validates its DAGs. One broken file never hides
 * the others: its problem becomes an ImportError and loading goes on.
 */
export async function loadPipelines(dir: string, options: LoadOptions): Promise<PipelineSet> {
  const files = options.files ?? discoverPipelineFiles(dir);
  const dags = new Map<string, LoadedDag>();
  const errors: ImportError[] = [];
  // Stack traces of pipeline code (an import that throws, a failing function task) then name
  // the pipeline's own files and lines rather than its bundle's.
  if (files.length > 0) process.setSourceMapsEnabled(true);
  const compile = { apiUrl: apiModuleUrl(), cwd: options.cwd, cacheDir: options.cacheDir };
  const timeoutMs = options.importTimeoutMs ?? 30_000;
  const modules = await Promise.all(
    files.map(async (file): Promise<Imported> => {
      try {
        const imported = await importWithTimeout(
          await compiledPipelineUrl(file, compile),
          timeoutMs,
        );
        if (!("error" in imported) || !isMissingCacheFile(imported.error)) return imported;
        return await importWithTimeout(await freshPipelineUrl(file, compile), timeoutMs);
      } catch (error) {
        return { error };
      }
    }),
  );
  files.forEach((file, index) => {
    const shownAs = relative(options.cwd, file) || file;
    const loaded = modules[index]!;
    if ("error" in loaded) {
      errors.push({ file: shownAs, messages: [describeImportError(loaded.error, file, shownAs)] });
      return;
    }
    const definitions = Object.values(loaded.module).filter(isDagDefinition);
    if (definitions.length === 0) {
      errors.push({
        file: shownAs,
        messages: [`${shownAs}: exports no DAG (export default dag({...}))`],
      });
    }
    for (const definition of new Set(definitions)) {
      const parts = toDagInput(definition, shownAs);
      const built = buildDag(parts.input);
      const issues = [...parts.issues, ...(built.ok ? [] : built.issues)];
      const dagId = typeof definition.options.id === "string" ? definition.options.id : undefined;
      if (issues.length > 0 || !built.ok) {
        errors.push({ file: shownAs, ...(dagId && { dagId }), messages: issues.map(formatIssue) });
        continue;
      }
      const existing = dags.get(built.dag.id);
      if (existing) {
        errors.push({
          file: shownAs,
          dagId: built.dag.id,
          messages: [
            `${shownAs}: dag "${built.dag.id}" is already defined in ${existing.dag.file}`,
          ],
        });
        continue;
      }
      dags.set(built.dag.id, {
        dag: built.dag,
        file,
        tasks: parts.tasks,
        callbacks: collectCallbacks(definition, parts.tasks),
      });
    }
  });
  return { dir, dags, errors };
}

type Imported = { module: Record<string, unknown> } | { error: unknown };

async function importWithTimeout(url: string, timeoutMs: number): Promise<Imported> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Imported>((resolve) => {
    timer = setTimeout(
      () => resolve({ error: new Error(`did not finish importing within ${timeoutMs / 1000}s`) }),
      timeoutMs,
    );
  });
  const imported = import(url).then(
    (module: Record<string, unknown>) => ({ module }),
    (error: unknown) => ({ error }),
  );
  try {
    return await Promise.race([imported, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// The cached bundle was removed between reading its manifest and importing it.
function isMissingCacheFile(error: unknown): boolean {
  return (
    (error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND" &&
    error instanceof Error &&
    /[0-9a-f]{40}\.mjs/.test(error.message)
  );
}
