import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FORMAT, readManifest, type Manifest } from "./cache-manifest.js";
import { pruneCompileCache } from "./prune-cache.js";
import { bundlePipeline, hashOf } from "./bundle-pipeline.js";

/**
 * The compile cache: a pipeline's bundle (see bundle-pipeline.ts) is kept in `cacheDir` under
 * the hash of its code, with a manifest per pipeline file listing every local file bundled in
 * and the hash of its content. A warm start re-reads and hashes those files (a millisecond for a
 * few small ones), finds the manifest unchanged and imports the stored module: no compiler, no
 * loader hooks. An edited pipeline or helper has another hash, so it is compiled again, and
 * gets another URL: a scheduler that imports it again gets the new code (ES modules are cached
 * by URL), and an unchanged one keeps its module.
 */

export interface CompileOptions {
  readonly apiUrl: string;
  readonly cwd: string;
  /** Where bundles are kept; undefined: compile every time (into a temp folder). */
  readonly cacheDir: string | undefined;
}

/** The URL to import for a pipeline file: a cached bundle, a fresh one, or a data: URL. */
export async function compiledPipelineUrl(file: string, options: CompileOptions): Promise<string> {
  const manifestPath = options.cacheDir
    ? manifestPathFor(file, options.apiUrl, options.cacheDir)
    : undefined;
  let previous: Manifest | undefined;
  if (manifestPath) {
    previous = readManifest(manifestPath);
    if (previous && isCurrent(previous, file, options.apiUrl, options.cacheDir!)) {
      return pathToFileURL(join(options.cacheDir!, previous.output)).href;
    }
  }
  return compileAndStore(file, options, manifestPath, previous);
}

/** Where the compile cache keeps the manifest of pipeline `file`. */
export function manifestPathFor(file: string, apiUrl: string, cacheDir: string): string {
  return join(cacheDir, `${hashOf(`${FORMAT}\0${apiUrl}\0${file}`)}.json`);
}

/**
 * Compiles `file` and imports it from a fresh bundle: for a cache entry that went away between
 * reading its manifest and importing it (another flow process replaced it).
 */
export async function freshPipelineUrl(file: string, options: CompileOptions): Promise<string> {
  return compileAndStore(file, { ...options, cacheDir: undefined }, undefined, undefined);
}

async function compileAndStore(
  file: string,
  options: CompileOptions,
  manifestPath: string | undefined,
  previous: Manifest | undefined,
): Promise<string> {
  const bundle = await bundlePipeline(file, options);
  if (manifestPath) {
    const output = `${hashOf(bundle.code)}.mjs`;
    const manifest: Manifest = {
      format: FORMAT,
      entry: file,
      apiUrl: options.apiUrl,
      inputs: bundle.inputs,
      output,
    };
    try {
      mkdirSync(options.cacheDir!, { recursive: true });
      writeAtomically(join(options.cacheDir!, output), bundle.code);
      writeAtomically(manifestPath, JSON.stringify(manifest));
      // The entry's previous bundle is garbage now; a process that read the old manifest a
      // moment ago and finds it gone compiles afresh (see freshPipelineUrl).
      if (previous && previous.output !== output) {
        rmSync(join(options.cacheDir!, previous.output), { force: true });
      }
      pruneCompileCache(options.cacheDir!, Date.now());
      return pathToFileURL(join(options.cacheDir!, output)).href;
    } catch {
      // A cache folder that cannot be written (read-only home, full disk) only costs speed.
    }
  }
  return uncachedUrl(bundle.code);
}

let scratchDir: string | undefined;

/**
 * Without a cache the bundle still goes to a file (a temp folder of this process, removed when
 * it exits): Node applies source maps to file modules only, and stack traces should name the
 * pipeline's lines. A data: URL is the last resort when no temp folder can be written.
 */
function uncachedUrl(code: string): string {
  try {
    if (!scratchDir) {
      const dir = mkdtempSync(join(tmpdir(), "flow-bundles-"));
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      scratchDir = dir;
    }
    const path = join(scratchDir, `${hashOf(code)}.mjs`);
    writeFileSync(path, code);
    return pathToFileURL(path).href;
  } catch {
    return `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
  }
}

// Current: made for this file and API, every input file still has the content it was built
// from, and the bundle is still there.
function isCurrent(manifest: Manifest, file: string, apiUrl: string, cacheDir: string): boolean {
  if (manifest.entry !== file || manifest.apiUrl !== apiUrl) return false;
  for (const input of manifest.inputs) {
    try {
      if (hashOf(readFileSync(input.path)) !== input.hash) return false;
    } catch {
      return false;
    }
  }
  return existsSync(join(cacheDir, manifest.output));
}

// Temp file and rename: a reader in another flow process sees the old file or the new one.
function writeAtomically(path: string, content: string): void {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The cache folder for an environment: FLOW_CACHE_DIR, else $XDG_CACHE_HOME/flow, else
 * ~/.cache/flow; FLOW_CACHE_DIR=off turns the cache off.
 */
export function cacheDirFor(env: NodeJS.ProcessEnv, home: string, cwd: string): string | undefined {
  const set = env.FLOW_CACHE_DIR;
  if (set === "off" || set === "0") return undefined;
  if (set) return resolve(cwd, set);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "flow");
  return home ? join(home, ".cache", "flow") : undefined;
}
