// `npm run bench`: every workload of issue #5 through flow and its peers, printed as one table of
// medians with ratios to a baseline measured in the same run, each target marked met or missed.
// Usage: node --import tsx bench/run.ts [--quick] [--only W1,W5] [--reps N] [--json FILE]
//   --quick (or BENCH_QUICK=1): tiny workloads, one repetition, no warm-up (a smoke test).
//   A full run of every workload also rewrites the generated part of bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchContext } from "./lib/context.js";
import { describeMachine } from "./lib/machine.js";
import { rssSource } from "./lib/measure.js";
import { findPeer } from "./lib/peers.js";
import { REPO } from "./lib/project.js";
import { formatNotes, formatTable, type WorkloadResult } from "./lib/report.js";
import { writeGeneratedBlock } from "./lib/results-file.js";
import { benchBackfill } from "./workloads/backfill.js";
import { benchChain, benchLayers, benchWide } from "./workloads/bash-shapes.js";
import { benchBigDag } from "./workloads/big-dag.js";
import { benchColdStart } from "./workloads/cold-start.js";
import { benchFunctions } from "./workloads/function-shapes.js";
import { benchHistory } from "./workloads/history.js";
import { benchOneTask } from "./workloads/one-task.js";
import { queueWorkloads } from "./workloads/queue.js";
import { benchUiGrid } from "./workloads/ui-grid.js";
import { benchUiSse } from "./workloads/ui-sse.js";

interface Options {
  readonly quick: boolean;
  readonly only: readonly string[] | undefined;
  readonly reps: number | undefined;
  readonly json: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const valueOf = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const only = valueOf("--only");
  const reps = valueOf("--reps") ?? process.env.BENCH_REPS;
  return {
    quick: argv.includes("--quick") || ["1", "true"].includes(process.env.BENCH_QUICK ?? ""),
    only: only ? only.toUpperCase().split(",") : undefined,
    reps: reps ? Number(reps) : undefined,
    json: valueOf("--json"),
  };
}

const workloads: { id: string; run: (context: BenchContext) => WorkloadResult }[] = [
  { id: "W1", run: benchWide },
  { id: "W2", run: benchChain },
  { id: "W3", run: benchLayers },
  { id: "W4", run: benchFunctions },
  { id: "W5", run: benchBackfill },
  { id: "W6", run: benchBigDag },
  { id: "W7", run: benchColdStart },
  { id: "W8", run: benchHistory },
  { id: "W9", run: benchUiGrid },
  { id: "W10", run: benchUiSse },
  { id: "W11", run: benchOneTask },
  ...queueWorkloads(),
];

const options = parseOptions(process.argv.slice(2));
const machine = describeMachine();
const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};
const context: BenchContext = {
  quick: options.quick,
  heavyReps: options.reps ?? (options.quick ? 1 : 3),
  lightReps: options.reps ?? (options.quick ? 1 : 7),
  warmUp: !options.quick,
  make: findPeer("make", !options.quick),
  ninja: findPeer("ninja", !options.quick),
  log,
};

const results: WorkloadResult[] = [];
let broken = false;
const started = performance.now();
const startedAt = new Date().toISOString().slice(0, 16);
for (const workload of workloads) {
  if (options.only && !options.only.includes(workload.id)) continue;
  log(`${workload.id}: start`);
  try {
    results.push(workload.run(context));
  } catch (error) {
    broken = true;
    const message = error instanceof Error ? error.message : String(error);
    results.push({
      id: workload.id,
      title: "failed",
      rows: [],
      notes: [`error: ${message.split("\n").join(" / ")}`],
    });
  }
}
const minutes = (performance.now() - started) / 60_000;

// The commit that was built, and whether the working tree differed from it (others edit src/).
function describeBuild(): string {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" });
  if (head.status !== 0) return "not a git checkout";
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "src"], {
    cwd: REPO,
    encoding: "utf8",
  });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? " plus uncommitted changes in src/" : ""}`;
}

const mode = options.quick
  ? "quick (smoke test: tiny workloads, 1 repetition, no warm-up)"
  : "full";
const header = [
  `- mode: ${mode}; ${context.heavyReps} repetitions for multi-second workloads, ${context.lightReps} for sub-second ones, interleaved${context.warmUp ? ", after one warm-up run of each runner" : ""}; ${minutes.toFixed(1)} min in all`,
  `- machine: ${machine.nproc} CPUs (nproc), ${machine.cpu}, ${machine.memory} RAM, ${machine.os}`,
  `- node ${machine.node}; load average at start ${machine.loadAverage}; started ${startedAt}Z`,
  `- flow built from ${describeBuild()}`,
  `- peers: ${[context.make, context.ninja].map((peer) => peer.note).join("; ")}`,
  `- peak RSS: ${rssSource}`,
].join("\n");
const notes = formatNotes(results);
const report = `${header}\n\n${formatTable(results)}\n\n${notes}\n`;
process.stdout.write(`\n${report}`);

if (options.json)
  writeFileSync(options.json, JSON.stringify({ machine, quick: options.quick, results }, null, 2));
if (!options.quick && !options.only && !broken) {
  writeGeneratedBlock(join(REPO, "bench", "RESULTS.md"), report);
  log("wrote bench/RESULTS.md");
}
process.exitCode = broken ? 1 : 0;
