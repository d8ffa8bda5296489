import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
 * so a command never misses the warning about another, broken file.
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

// Not .json: pruneCompileCache removes any .json that is not a compile manifest.
const INDEX_FILE = "dags.index";

/**
 * The file that defines `dagId` when the index is current for `pipelines` (the files in the
 * folder now); undefined when there is no index, it is stale, or it does not know the DAG.
 */
export function indexedDagFile(
  cacheDir: string,
  apiUrl: string,
  pipelines: readonly string[],
  dagId: string,
): string | undefined {
  let index: DagIndex;
  try {
    index = JSON.parse(readFileSync(join(cacheDir, INDEX_FILE), "utf8")) as DagIndex;
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
 * Records where each DAG of a complete, error-free load of `pipelines` is defined. Best effort:
 * an index that cannot be written only means the next command imports every file.
 */
export function writeDagIndex(
  cacheDir: string,
  apiUrl: string,
  pipelines: readonly string[],
  set: PipelineSet,
): void {
  if (set.errors.length > 0) return;
  const stamps: Record<string, string> = {};
  for (const file of pipelines) {
    const manifest = readManifest(manifestPathFor(file, apiUrl, cacheDir));
    if (!manifest) return; // compiled without the cache: nothing to check the inputs against
    for (const path of [file, ...manifest.inputs.map((input) => input.path)]) {
      const stamp = stampOf(path);
      if (stamp === undefined) return;
      stamps[path] = stamp;
    }
  }
  const dags = Object.fromEntries([...set.dags].map(([id, loaded]) => [id, loaded.file]));
  const index: DagIndex = { format: 1, apiUrl, pipelines, stamps, dags };
  const text = JSON.stringify(index);
  const path = join(cacheDir, INDEX_FILE);
  try {
    if (readFileSync(path, "utf8") === text) return;
  } catch {
    // none yet
  }
  try {
    // Temp file and rename: another flow process reads the old index or the new one.
    const temp = `${path}.${process.pid}.tmp`;
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
