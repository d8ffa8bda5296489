// W5: a year of daily backfill runs of a 10-task function DAG through `flow backfill`.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { interleave, type BenchContext } from "../lib/context.js";
import { flowPipeline } from "../lib/generate.js";
import { measure, measureOk, type Measured } from "../lib/measure.js";
import { FLOW_BIN, FLOW_ENV, makeBenchProject } from "../lib/project.js";
import { atMost, type WorkloadResult } from "../lib/report.js";
import type { Shape } from "../lib/shapes.js";
import { maxOf, median } from "../lib/stats.js";

const TARGET_SECONDS = 3;

// extract -> 8 parallel steps -> load: ten tasks, as a small daily ETL.
const tenTasks: Shape = {
  name: "daily",
  upstream: [[], ...Array.from({ length: 8 }, () => [0]), [1, 2, 3, 4, 5, 6, 7, 8]],
  parallelism: 32,
};

/** Whether this build of flow has the backfill command. */
function hasBackfill(cwd: string): boolean {
  return (
    measure(process.execPath, [FLOW_BIN, "backfill", "--help"], { cwd, env: FLOW_ENV }).status === 0
  );
}

export function benchBackfill(context: BenchContext): WorkloadResult {
  const end = context.quick ? "2025-01-07" : "2025-12-31";
  const days = context.quick ? 7 : 365;
  const title = `backfill: ${days} daily runs of a 10-task function DAG`;
  const project = makeBenchProject("w5");
  try {
    if (!hasBackfill(project.dir)) {
      return {
        id: "W5",
        title,
        rows: [],
        notes: ["not available: `flow backfill --help` fails in this build"],
      };
    }
    project.write(
      "pipelines/daily.ts",
      flowPipeline(tenTasks, {
        dagId: "daily",
        kind: "function",
        dagExtras: `schedule: "@daily", start: "2025-01-01", catchup: false`,
      }),
    );
    const run = (): Measured => {
      const stateDir = project.freshStateDir();
      const result = measureOk(
        process.execPath,
        [
          FLOW_BIN,
          "backfill",
          "daily",
          "--start",
          "2025-01-01",
          "--end",
          end,
          "--state-dir",
          stateDir,
        ],
        { cwd: project.dir, env: FLOW_ENV },
      );
      const runs = readdirSync(join(stateDir, "runs", "daily")).filter((f) => f.endsWith(".json"));
      if (runs.length !== days) throw new Error(`W5: expected ${days} runs, found ${runs.length}`);
      return result;
    };
    const [results] = interleave(
      [{ name: "flow backfill", run }],
      context.heavyReps,
      context,
      "w5",
    );
    const seconds = median(results!.map((r) => r.ms)) / 1000;
    const rss = maxOf(results!.map((r) => r.rssKb));
    return {
      id: "W5",
      title,
      rows: [
        {
          measure: "flow backfill",
          value: seconds,
          unit: "s",
          ratio: { value: seconds / TARGET_SECONDS, to: "3 s target" },
          verdict: atMost(seconds, TARGET_SECONDS, "3 s"),
        },
        { measure: "  per run", value: (seconds * 1000) / days, unit: "ms" },
        ...(rss === undefined ? [] : [{ measure: "flow peak RSS", value: rss / 1024, unit: "MB" }]),
      ],
      notes: [
        "default --max-active-runs and --parallelism; the run count in the state dir is checked",
      ],
    };
  } finally {
    project.cleanup();
  }
}
