import type { TaskLogger } from "../../../src/api/context.js";

/** A task logger that keeps its lines as `LEVEL text`, for tests that check what reached a log. */
export function recordingLogger(): TaskLogger & { lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push(`${level} ${args.map(String).join(" ")}`);
  return { lines, info: record("INFO"), warn: record("WARN"), error: record("ERROR") };
}
