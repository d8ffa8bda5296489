import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

/** sha256 of each pipeline file, kept while its size and mtime stay the same. */
const hashes = new Map<string, { readonly stamp: string; readonly hash: string }>();

/**
 * sha256 (hex) of a pipeline file's bytes: what a job says its task was made from, and what a
 * worker compares its own copy with. Read again only when the file's size or mtime changed.
 * Throws when the file cannot be read.
 */
export function pipelineHash(file: string): string {
  const { size, mtimeMs } = statSync(file);
  const stamp = `${size}:${mtimeMs}`;
  const known = hashes.get(file);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash("sha256").update(readFileSync(file)).digest("hex");
  hashes.set(file, { stamp, hash });
  return hash;
}
