import { fileURLToPath } from "node:url";

/**
 * One line saying why a pipeline module failed to import, with the line in the pipeline that
 * caused it when the error says: `pipelines/etl.ts:12: Error: boom`. Errors from the TypeScript
 * transform (esbuild) carry the location in their message; runtime errors in their stack.
 */
export function describeImportError(error: unknown, file: string, shownAs: string): string {
  if (!(error instanceof Error)) return `${shownAs}: threw ${String(error)}`;
  const transform = /:(\d+):(\d+): ERROR: (.*)/.exec(error.message);
  if (transform) return `${shownAs}:${transform[1]}:${transform[2]}: ${transform[3]}`;
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
