import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";

const PIPELINE_FILE = /\.(ts|mts|js|mjs)$/;

/**
 * Absolute paths of the pipeline modules directly inside `dir`, sorted. Sub-folders are not
 * scanned, so pipelines can keep helpers and data in them. Type declarations are skipped.
 */
export function discoverPipelineFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new UsageError(`pipelines folder "${dir}" is not a directory`);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`pipelines folder "${dir}" does not exist`, {
      hint: "run flow where your pipelines/ folder is, or set --pipelines DIR or FLOW_PIPELINES",
      cause: error,
    });
  }
  return entries
    .filter((name) => PIPELINE_FILE.test(name) && !name.endsWith(".d.ts") && !name.startsWith("."))
    .sort()
    .map((name) => join(dir, name));
}
