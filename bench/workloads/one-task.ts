// W11: the fixed cost of a run. `flow run` of a one-task pipeline whose compile cache is warm
// (what cron's every start sees) against a bare `node -e 0`, in the same run.
import { interleave, type BenchContext, type Runner } from "../lib/context.js";
import { flowPipeline } from "../lib/generate.js";
import { measureOk } from "../lib/measure.js";
import { FLOW_BIN, FLOW_ENV, makeBenchProject } from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";
import { wide } from "../lib/shapes.js";
import { median } from "../lib/stats.js";
import { REAL_PROGRAM } from "./bash-shapes.js";

export function benchOneTask(context: BenchContext): WorkloadResult {
  const project = makeBenchProject("w11");
  try {
    const one = wide(1, 1);
    const command = REAL_PROGRAM;
    project.write(
      "pipelines/one_bash.ts",
      flowPipeline(one, { dagId: "one_bash", kind: "bash", command }),
    );
    project.write("pipelines/one_fn.ts", flowPipeline(one, { dagId: "one_fn", kind: "function" }));
    const cwd = project.dir;
    const flowRun =
      (dagId: string, bin = FLOW_BIN) =>
      () =>
        measureOk(process.execPath, [bin, "run", dagId, "--state-dir", project.freshStateDir()], {
          cwd,
          env: FLOW_ENV,
        }).ms;
    const runners: Runner<number>[] = [
      { name: "node -e 0", run: () => measureOk(process.execPath, ["-e", "0"], { cwd }).ms },
      { name: `flow run, 1 bash task (${command})`, run: flowRun("one_bash") },
      { name: "flow run, 1 function task", run: flowRun("one_fn") },
    ];
    const base = process.env.BENCH_BASE_FLOW;
    if (base)
      runners.push({
        name: "flow run, 1 bash task, BENCH_BASE_FLOW build",
        run: flowRun("one_bash", base),
      });
    // Warm-up fills the compile cache; every measured run then finds it.
    const results = interleave(runners, context.lightReps * 2, { ...context, warmUp: true }, "w11");
    const ms = results.map((values) => median(values));
    const bare = ms[0]!;
    const rows: Row[] = runners.map((runner, i) => ({
      measure: runner.name,
      value: ms[i]!,
      unit: "ms",
      ratio: { value: ms[i]! / bare, to: "node" },
      ...(i === 1 && { verdict: atMost(ms[i]! / bare, 2.5, "2.5x node") }),
    }));
    return {
      id: "W11",
      title: "fixed cost: flow run of a one-task pipeline, compile cache warm",
      rows,
      notes: [],
    };
  } finally {
    project.cleanup();
  }
}
