import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashOf } from "./bundle-pipeline.js";
import { readManifest } from "./cache-manifest.js";
import { manifestPathFor } from "./compiled-pipelines.js";
import type { PipelineSet } from "./load-pipelines.js";

/**
 * Which pipeline file defines each DAG, as of the last load of every pipeline file, kept in the
 * compile cache with a stamp (mtime and size) of every file those pipelines are built from
 * (their compile manifests' inputs). A command about one DAG (`flow run <dag>`, loadDag) imports
 * only that DAG's file while no stamp changed and no pipeline file was added or removed, as
 * Airflow's task runner parses only the DAG's own file: a folder of many pipelines no longer
 * costs every run the import of all of them. Written only after a load without import errors,
 * so a command never misses the warning about another, broken file, and only when no file had
 * changed shortly before that load (SETTLED_MS).
 */
interface DagIndex {
  readonly format: 1;
  readonly apiUrl: string;
  /** The pipeline files, sorted, as discoverPipelineFiles lists them. */
  readonly pipelines: readonly string[];
  /** `mtimeMs-size` of every pipeline file and of every local file one imports. */
  readonly stamps: Readonly<Record<string, string>>;
  /** DAG id to the pipeline file that defines it. */
  readonly dags: Readonly<Record<string, string>>;
}

// One per pipelines folder (a cache is shared by every project of a user); not .json:
// pruneCompileCache removes any .json that is not a compile manifest.
function indexPath(cacheDir: string, pipelinesDir: string): string {
  return join(cacheDir, `dags-${hashOf(pipelinesDir).slice(0, 16)}.index`);
}

// A file changed this close to the load that read it may have changed during it (or may change
// again within its file system's mtime tick): the index is then not written, as git treats a
// "racily clean" file.
const SETTLED_MS = 2000;

/**
 * The file that defines `dagId` when the index is current for `pipelines` (the files in the
 * folder now); undefined when there is no index, it is stale, or it does not know the DAG.
 */
export function indexedDagFile(
  cacheDir: string,
  apiUrl: string,
  pipelinesDir: string,
  pipelines: readonly string[],
  dagId: string,
): string | undefined {
  let index: DagIndex;
  try {
    index = JSON.parse(readFileSync(indexPath(cacheDir, pipelinesDir), "utf8")) as DagIndex;
  } catch {
    return undefined;
  }
  const file = index.dags?.[dagId];
  if (index.format !== 1 || index.apiUrl !== apiUrl || file === undefined) return undefined;
  if (index.pipelines.length !== pipelines.length) return undefined;
  if (index.pipelines.some((path, i) => path !== pipelines[i])) return undefined;
  for (const [path, stamp] of Object.entries(index.stamps)) {
    if (stampOf(path) !== stamp) return undefined;
  }
  return file;
}

/**
 * Records where each DAG of a complete, error-free load of `pipelines` (in `pipelinesDir`,
 * started at `loadStarted`, epoch ms) is defined. Best effort: an index that is not written only
 * means the next command imports every file.
 */
export function writeDagIndex(
  cacheDir: string,
  apiUrl: string,
  pipelinesDir: string,
  pipelines: readonly string[],
  set: PipelineSet,
  loadStarted: number,
): void {
  if (set.errors.length > 0) return;
  const stamps: Record<string, string> = {};
  for (const file of pipelines) {
    const manifest = readManifest(manifestPathFor(file, apiUrl, cacheDir));
    if (!manifest) return; // compiled without the cache: nothing to check the inputs against
    for (const path of [file, ...manifest.inputs.map((input) => input.path)]) {
      const info = statSync(path, { throwIfNoEntry: false });
      if (info === undefined || info.mtimeMs >= loadStarted - SETTLED_MS) return;
      stamps[path] = `${info.mtimeMs}-${info.size}`;
    }
  }
  const dags = Object.fromEntries([...set.dags].map(([id, loaded]) => [id, loaded.file]));
  const index: DagIndex = { format: 1, apiUrl, pipelines, stamps, dags };
  const text = JSON.stringify(index);
  const path = indexPath(cacheDir, pipelinesDir);
  try {
    if (readFileSync(path, "utf8") === text) return;
  } catch {
    // none yet
  }
  try {
    // Temp file and rename: another flow process reads the old index or the new one.
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch {
    // a read-only cache: loads go on importing every file
  }
}

function stampOf(path: string): string | undefined {
  try {
    const info = statSync(path);
    return `${info.mtimeMs}-${info.size}`;
  } catch {
    return undefined;
  }
}
