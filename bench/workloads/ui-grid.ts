// W9: bench/ui-grid.ts as it is (the web view's grid page with 10,000 runs stored vs 10, through
// the built `flow ui`), run as a child process; its printed medians become rows.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { BenchContext } from "../lib/context.js";
import { REPO } from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";

// Issue 11: with 10,000 runs stored the DAG page answers "in well under a second".
const TARGET_MS = 250;

export function benchUiGrid(context: BenchContext): WorkloadResult {
  const iterations = context.quick ? 2 : 30;
  context.log(`w9: ui-grid.ts, ${iterations} iterations`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(REPO, "bench", "ui-grid.ts"), String(iterations)],
    { cwd: REPO, encoding: "utf8" },
  );
  const out = result.stdout ?? "";
  const number = (pattern: RegExp): number => Number(pattern.exec(out)?.[1] ?? Number.NaN);
  const small = number(/10 runs stored: median ([\d.]+) ms/);
  const big = number(/10000 runs stored: median ([\d.]+) ms/);
  if (!Number.isFinite(small) || !Number.isFinite(big)) {
    throw new Error(`W9: ui-grid.ts printed no medians:\n${out}${result.stderr}`);
  }
  const rows: Row[] = [
    {
      measure: "GET the grid page, 10 runs stored",
      value: small,
      unit: "ms",
      ratio: { value: 1, to: "10 runs" },
    },
    {
      measure: "GET the grid page, 10,000 runs stored",
      value: big,
      unit: "ms",
      ratio: { value: big / small, to: "10 runs" },
      verdict: atMost(big, TARGET_MS, `${TARGET_MS} ms`),
    },
  ];
  return {
    id: "W9",
    title: "web view: the grid page (25 runs of 10 tasks) with 10,000 runs stored vs 10",
    rows,
    notes: [
      `ui-grid.ts, ${iterations} interleaved GETs each after a warm-up, against the built flow ui`,
    ],
  };
}
