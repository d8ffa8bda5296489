import { readFileSync } from "node:fs";
import type { BundleInput } from "./bundle-pipeline.js";

// Bump when the bundle's shape changes, so that older cache entries are not used.
export const FORMAT = 1;

/** What the compile cache keeps per pipeline file (see compiled-pipelines.ts). */
export interface Manifest {
  readonly format: number;
  readonly entry: string;
  readonly apiUrl: string;
  readonly inputs: readonly BundleInput[];
  readonly output: string;
}

/** A manifest of this format, or undefined for one that is missing, unreadable or older. */
export function readManifest(path: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    const complete =
      typeof manifest.entry === "string" &&
      typeof manifest.output === "string" &&
      Array.isArray(manifest.inputs);
    return manifest.format === FORMAT && complete ? manifest : undefined;
  } catch {
    return undefined;
  }
}
