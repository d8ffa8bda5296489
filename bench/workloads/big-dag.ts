// W6: a 10,000-task DAG: `flow validate` and `flow tree` through the binary, against
// `flow validate` on a 10-task DAG, and loadPipelines in-process for the pure load + validate.
import { interleave, type BenchContext, type Runner } from "../lib/context.js";
import { flowPipeline } from "../lib/generate.js";
import { measureOk, type Measured } from "../lib/measure.js";
import { FLOW_BIN, FLOW_ENV, REPO, makeBenchProject } from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";
import { bigDag, edgeCount } from "../lib/shapes.js";
import { maxOf, median } from "../lib/stats.js";
import { join } from "node:path";

const TARGET_MS = 300;
const PROBE = join(REPO, "bench", "probes", "load-pipelines.mjs");

interface ProbeResult {
  readonly loadMs: number;
  readonly tasks: number;
  readonly errors: number;
}

export function benchBigDag(context: BenchContext): WorkloadResult {
  const count = context.quick ? 200 : 10_000;
  const big = bigDag(count);
  const small = bigDag(10);
  const project = makeBenchProject("w6");
  try {
    project.write("big/big.ts", flowPipeline(big, { dagId: "big", kind: "bash" }));
    project.write("small/small.ts", flowPipeline(small, { dagId: "small", kind: "bash" }));
    const cwd = project.dir;
    const flow = (args: string[]): Measured =>
      measureOk(process.execPath, [FLOW_BIN, ...args, "--state-dir", project.freshStateDir()], {
        cwd,
        env: FLOW_ENV,
      });
    // A cache folder per pipelines folder: the warm-up run fills it; "off" compiles every time.
    const probe = (dir: string, tasks: number, cache = `cache-${dir}`): ProbeResult => {
      const out = measureOk(process.execPath, [PROBE, dir, cache], { cwd }).stdout;
      const result = JSON.parse(out.trim().split("\n").pop()!) as ProbeResult;
      if (result.errors > 0 || result.tasks !== tasks) {
        throw new Error(`W6: loading ${dir} gave ${result.tasks} tasks, ${result.errors} errors`);
      }
      return result;
    };
    type Sample = { ms: number; rssKb?: number | undefined };
    const runners: Runner<Sample>[] = [
      { name: "validate small", run: () => flow(["validate", "--pipelines", "small"]) },
      { name: "validate big", run: () => flow(["validate", "--pipelines", "big"]) },
      { name: "tree big", run: () => flow(["tree", "big", "--pipelines", "big"]) },
      { name: "load small", run: () => ({ ms: probe("small", 10).loadMs }) },
      { name: "load big", run: () => ({ ms: probe("big", count).loadMs }) },
      { name: "compile+load big", run: () => ({ ms: probe("big", count, "off").loadMs }) },
    ];
    const results = interleave(runners, context.lightReps, context, "w6");
    const ms = results.map((samples) => median(samples.map((s) => s.ms)));
    const [validateSmall, validateBig, treeBig, loadSmall, loadBig, compileBig] = ms as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const rss = (i: number): number | undefined => maxOf(results[i]!.map((s) => s.rssKb));
    const delta = validateBig - validateSmall;
    const rows: Row[] = [
      {
        measure: "flow validate, 10 tasks",
        value: validateSmall,
        unit: "ms",
        ratio: { value: 1, to: "validate 10" },
      },
      {
        measure: `flow validate, ${count} tasks`,
        value: validateBig,
        unit: "ms",
        ratio: { value: validateBig / validateSmall, to: "validate 10" },
      },
      {
        measure: "  difference (the big DAG's share)",
        value: delta,
        unit: "ms",
        verdict: atMost(delta, TARGET_MS, "300 ms"),
      },
      {
        measure: `flow tree, ${count} tasks`,
        value: treeBig,
        unit: "ms",
        ratio: { value: treeBig / validateSmall, to: "validate 10" },
      },
      { measure: "loadPipelines in-process, 10 tasks", value: loadSmall, unit: "ms" },
      {
        measure: `loadPipelines in-process, ${count} tasks`,
        value: loadBig,
        unit: "ms",
        ratio: { value: loadBig / loadSmall, to: "load 10" },
        verdict: atMost(loadBig, TARGET_MS, "300 ms"),
      },
      {
        measure: `  the same, compiled (no cache)`,
        value: compileBig,
        unit: "ms",
        ratio: { value: compileBig / loadSmall, to: "load 10" },
      },
    ];
    const rssValidate = rss(1);
    const rssTree = rss(2);
    if (rssValidate !== undefined)
      rows.push({
        measure: "flow validate peak RSS",
        value: rssValidate / 1024,
        unit: "MB",
      });
    if (rssTree !== undefined)
      rows.push({ measure: "flow tree peak RSS", value: rssTree / 1024, unit: "MB" });
    return {
      id: "W6",
      title: `big DAG: ${count} tasks, ${edgeCount(big)} edges`,
      rows,
      notes: [
        "the pipeline builds its tasks in a loop from a JSON edge list (a binary tree plus an edge to the previous task on every third task)",
        "loadPipelines in-process: dist/loader/load-pipelines.js (import the cached bundle, build, validate); compiled: with no cache, esbuild first",
      ],
    };
  } finally {
    project.cleanup();
  }
}
