// W7: `flow list` over 20 small pipeline files against a bare `node -e 0`: the start-up every
// cron-launched `flow scheduler --once` pays.
import { interleave, type BenchContext } from "../lib/context.js";
import { flowPipeline } from "../lib/generate.js";
import { measureOk } from "../lib/measure.js";
import { FLOW_BIN, FLOW_ENV, makeBenchProject } from "../lib/project.js";
import { atMost, type WorkloadResult } from "../lib/report.js";
import { chainOf, wide } from "../lib/shapes.js";
import { median } from "../lib/stats.js";

const TARGET_RATIO = 3;

export function benchColdStart(context: BenchContext): WorkloadResult {
  const files = context.quick ? 3 : 20;
  const project = makeBenchProject("w7");
  try {
    for (let i = 0; i < files; i++) {
      const kind = i % 2 === 0 ? "bash" : "function";
      const shape = i % 3 === 0 ? wide(3, 2) : chainOf(3);
      const extras = i % 4 === 0 ? `schedule: "@daily", start: "2025-01-01"` : undefined;
      project.write(
        `pipelines/p${i}.ts`,
        flowPipeline(shape, { dagId: `p${i}`, kind, ...(extras && { dagExtras: extras }) }),
      );
    }
    const cwd = project.dir;
    const listWith = (cache: string): number =>
      measureOk(process.execPath, [FLOW_BIN, "list", "--state-dir", project.freshStateDir()], {
        cwd,
        env: { ...FLOW_ENV, FLOW_CACHE_DIR: cache },
      }).ms;
    const [bare, list, compiled] = interleave(
      [
        { name: "node -e 0", run: () => measureOk(process.execPath, ["-e", "0"], { cwd }).ms },
        { name: "flow list", run: () => listWith("cache") },
        { name: "flow list, no cache", run: () => listWith("off") },
      ],
      context.lightReps,
      context,
      "w7",
    );
    const bareMs = median(bare!);
    const listMs = median(list!);
    const compiledMs = median(compiled!);
    return {
      id: "W7",
      title: `cold start: flow list over ${files} pipeline files`,
      rows: [
        {
          measure: "node -e 0",
          value: bareMs,
          unit: "ms",
          ratio: { value: 1, to: "node" },
        },
        {
          measure: "flow list",
          value: listMs,
          unit: "ms",
          ratio: { value: listMs / bareMs, to: "node" },
          verdict: atMost(listMs / bareMs, TARGET_RATIO, "3x node"),
        },
        {
          measure: "flow list, no compile cache",
          value: compiledMs,
          unit: "ms",
          ratio: { value: compiledMs / bareMs, to: "node" },
        },
      ],
      notes: [
        "each file: a 3-task DAG (bash or function, some scheduled), built as W1-W3's are",
        "flow list: the compile cache filled by the warm-up run (what cron's every start sees); no compile cache: FLOW_CACHE_DIR=off, every file compiled by esbuild (the first start after an edit)",
      ],
    };
  } finally {
    project.cleanup();
  }
}
