// `npm run bench`: runs every benchmark script in this folder in turn, each printing its own
// table of medians and ratios to a baseline measured in the same run.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const benches = [
  {
    file: "store-history.ts",
    title: "W8 history: recording a 10-task run, 10,000 runs stored vs none",
  },
];

let failed = false;
for (const bench of benches) {
  process.stdout.write(`\n## ${bench.title}\n\n`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(here, bench.file), ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
