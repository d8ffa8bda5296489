/**
 * Module resolve hook, registered by enableFreshPipelineImports: the URL of a pipeline module
 * (a file directly inside the pipelines folder) gets `?v=<mtime>-<size>`. ES modules are cached
 * by URL for the life of the process, so this is what lets a long-running scheduler import an
 * edited pipeline again: same file, new URL. Unchanged files keep their URL and their cached
 * module. Helpers in sub-folders are not versioned: editing one needs a scheduler restart.
 */
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

interface InitializeData {
  dir: string;
}

interface Resolved {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

let pipelinesDir = "";

export function initialize(data: InitializeData): void {
  pipelinesDir = data.dir;
}

// Runs before flow's and tsx's hooks (registered after them), so they see the plain URL and
// decide the format from the file extension; the version is added to what they return.
export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: NextResolve,
): Promise<Resolved> {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith("file:") || resolved.url.includes("?")) return resolved;
  const path = fileURLToPath(resolved.url);
  if (dirname(path) !== pipelinesDir) return resolved;
  try {
    const info = statSync(path);
    return { ...resolved, url: `${resolved.url}?v=${info.mtimeMs}-${info.size}` };
  } catch {
    return resolved;
  }
}
