// Preloaded into a Node child (--import) when GNU time is missing: writes the process's peak
// RSS in KiB to FLOW_BENCH_RSS_FILE as it exits.
import { writeFileSync } from "node:fs";

const file = process.env.FLOW_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
