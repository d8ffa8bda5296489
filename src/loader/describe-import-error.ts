import { fileURLToPath } from "node:url";
import { BundleError } from "./bundle-pipeline.js";

/**
 * One line saying why a pipeline module failed to import, with the line in the pipeline that
 * caused it when the error says: `pipelines/etl.ts:12: Error: boom`. Compile errors (esbuild)
 * carry their location, which may be in a helper the pipeline imports; runtime errors carry it
 * in their stack (source-mapped back to the pipeline's own file).
 */
export function describeImportError(error: unknown, file: string, shownAs: string): string {
  if (error instanceof BundleError) {
    const where = error.location;
    return where
      ? `${where.file}:${where.line}:${where.column}: ${error.message}`
      : `${shownAs}: ${error.message}`;
  }
  if (!(error instanceof Error)) return `${shownAs}: threw ${String(error)}`;
  const firstLine = error.message.split("\n")[0] ?? "";
  const line = lineInFile(error.stack ?? "", file);
  const name = error.name ? `${error.name}: ` : "";
  return `${shownAs}${line ? `:${line}` : ""}: ${name}${firstLine}`;
}

function lineInFile(stack: string, file: string): string | undefined {
  for (const frame of stack.split("\n")) {
    const match = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!match) continue;
    const path = match[1]!.startsWith("file://") ? safePath(match[1]!) : match[1];
    if (path === file) return match[2];
  }
  return undefined;
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url.split("?")[0]!);
  } catch {
    return undefined;
  }
}
