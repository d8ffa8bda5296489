// Writes the latest full results into bench/RESULTS.md, between two markers, so that the
// hand-written analysis around them survives every run.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const START = "<!-- bench:generated:start -->";
const END = "<!-- bench:generated:end -->";

/** Replaces the generated block of `file` with `block` (or creates the file around it). */
export function writeGeneratedBlock(file: string, block: string): void {
  const generated = `${START}\n${block.trim()}\n${END}`;
  const current = existsSync(file)
    ? readFileSync(file, "utf8")
    : `# Benchmark results\n\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + generated + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${generated}\n`;
  writeFileSync(file, next);
}
