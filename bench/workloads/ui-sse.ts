// W10: bench/ui-sse-backfill.ts as it is (a 365-run backfill alone vs watched by flow ui with 20
// open event streams), run as a child process; its printed medians become rows.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { BenchContext } from "../lib/context.js";
import { REPO } from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";

// Issue 11: 20 SSE clients during a 365-run backfill cost the backfill no more than 10%.
const TARGET_RATIO = 1.1;

export function benchUiSse(context: BenchContext): WorkloadResult {
  const reps = context.quick ? 1 : context.heavyReps;
  const days = context.quick ? 7 : 365;
  context.log(`w10: ui-sse-backfill.ts, ${reps} repetitions of ${days} days`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(REPO, "bench", "ui-sse-backfill.ts"), String(reps), String(days)],
    { cwd: REPO, encoding: "utf8" },
  );
  const out = result.stdout ?? "";
  const number = (pattern: RegExp): number => Number(pattern.exec(out)?.[1] ?? Number.NaN);
  const alone = number(/alone: median ([\d.]+) ms/);
  const watched = number(/SSE clients: median ([\d.]+) ms/);
  const serverCpu = number(/CPU time during a backfill: median ([\d.]+) ms/);
  if (!Number.isFinite(alone) || !Number.isFinite(watched)) {
    throw new Error(`W10: ui-sse-backfill.ts printed no medians:\n${out}${result.stderr}`);
  }
  const rows: Row[] = [
    {
      measure: "flow backfill alone",
      value: alone / 1000,
      unit: "s",
      ratio: { value: 1, to: "alone" },
    },
    {
      measure: "flow backfill, flow ui + 20 SSE clients",
      value: watched / 1000,
      unit: "s",
      ratio: { value: watched / alone, to: "alone" },
      verdict: atMost(watched / alone, TARGET_RATIO, "1.1x alone"),
    },
    ...(Number.isFinite(serverCpu)
      ? [{ measure: "  flow ui CPU time meanwhile", value: serverCpu, unit: "ms" }]
      : []),
  ];
  return {
    id: "W10",
    title: `web view: a ${days}-run backfill watched by 20 SSE clients vs alone`,
    rows,
    notes: [
      "ui-sse-backfill.ts: 10-task function DAG (as W5), each backfill into a fresh state dir, alone and watched interleaved",
    ],
  };
}
