// W8: bench/store-history.ts as it is (recording a 10-task run with 10,000 runs stored vs none),
// run as a child process; its printed medians become rows.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { BenchContext } from "../lib/context.js";
import { REPO } from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";

const TARGET_RATIO = 1.2;

export function benchHistory(context: BenchContext): WorkloadResult {
  const iterations = context.quick ? 1 : 40;
  context.log(`w8: store-history.ts, ${iterations} iterations`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(REPO, "bench", "store-history.ts"), String(iterations)],
    { cwd: REPO, encoding: "utf8" },
  );
  const out = result.stdout ?? "";
  const number = (pattern: RegExp): number => Number(pattern.exec(out)?.[1] ?? Number.NaN);
  const empty = number(/0 runs in the dag:\s+median ([\d.]+) ms/);
  const big = number(/\d+ runs in the dag: median ([\d.]+) ms/);
  if (!Number.isFinite(empty) || !Number.isFinite(big)) {
    throw new Error(`W8: store-history.ts printed no medians:\n${out}${result.stderr}`);
  }
  const rows: Row[] = [
    {
      measure: "record a run, 0 runs stored",
      value: empty,
      unit: "ms",
      ratio: { value: 1, to: "empty" },
    },
    {
      measure: "record a run, 10,000 runs stored",
      value: big,
      unit: "ms",
      ratio: { value: big / empty, to: "empty" },
      verdict: atMost(big / empty, TARGET_RATIO, "1.2x empty"),
    },
  ];
  return {
    id: "W8",
    title: "history: a 10-task run recorded with 10,000 runs stored vs none",
    rows,
    notes: [
      `store-history.ts, ${iterations} interleaved iterations after a warm-up, in-process FileStateStore`,
    ],
  };
}
