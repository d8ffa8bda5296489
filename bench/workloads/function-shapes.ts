// W4: the W1-W3 shapes and a wide fan-in with no-op function tasks, through flow only (no peer
// runs functions).
// Compared with flow's single-task run, so start-up is set apart from the cost per task.
import { interleave, type BenchContext, type Runner } from "../lib/context.js";
import { flowPipeline } from "../lib/generate.js";
import { measureOk } from "../lib/measure.js";
import { FLOW_BIN, FLOW_ENV, makeBenchProject } from "../lib/project.js";
import { atLeast, type Row, type WorkloadResult } from "../lib/report.js";
import { chainOf, layered, wide, type Shape } from "../lib/shapes.js";
import { median } from "../lib/stats.js";

const TARGET_PER_SECOND = 20_000;

export function benchFunctions(context: BenchContext): WorkloadResult {
  const quick = context.quick;
  const shapes: Shape[] = [
    wide(1, 1),
    wide(quick ? 20 : 1000, 2),
    chainOf(quick ? 20 : 300),
    layered(quick ? 4 : 20, quick ? 5 : 25, 2),
    // Wide fan-in: each task waits for the 200 of the layer before, where settling reads the
    // run's trigger-rule counts instead of looking up every upstream task (src/core/upstream-tally.ts).
    { ...layered(quick ? 3 : 5, quick ? 60 : 200, 2), name: "fan-in" },
  ];
  const project = makeBenchProject("w4");
  try {
    const dagIds = shapes.map((shape, i) => (i === 0 ? "fn_single" : `fn_${shape.name}`));
    shapes.forEach((shape, i) =>
      project.write(
        `pipelines/${dagIds[i]}.ts`,
        flowPipeline(shape, { dagId: dagIds[i]!, kind: "function" }),
      ),
    );
    // Wall time of the process, and the run's own start-to-end time as flow records it (the
    // start-up of the process left out), from `flow run --json`.
    const runners: Runner<{ wall: number; run: number }>[] = shapes.map((shape, i) => ({
      name: dagIds[i]!,
      run: () => {
        const result = measureOk(
          process.execPath,
          [
            FLOW_BIN,
            "run",
            dagIds[i]!,
            "--parallelism",
            String(shape.parallelism),
            "--state-dir",
            project.freshStateDir(),
            "--json",
          ],
          { cwd: project.dir, env: FLOW_ENV },
        );
        const { runs } = JSON.parse(result.stdout) as { runs: { start: string; end: string }[] };
        const run = Date.parse(runs[0]!.end) - Date.parse(runs[0]!.start);
        return { wall: result.ms, run };
      },
    }));
    // Each run takes about as long as start-up: the light (larger) repetition count steadies it.
    const results = interleave(runners, context.lightReps, context, "w4");
    const ms = results.map((values) => median(values.map((v) => v.wall)));
    const runMs = results.map((values) => median(values.map((v) => v.run)));
    const single = ms[0]!;
    const rows: Row[] = [
      {
        measure: "flow run, 1 function task",
        value: single,
        unit: "ms",
        ratio: { value: 1, to: "single" },
      },
      { measure: "  its run, start to end", value: runMs[0]!, unit: "ms" },
    ];
    shapes.slice(1).forEach((shape, k) => {
      const i = k + 1;
      const tasks = shape.upstream.length;
      const label = `${shape.name} (${tasks}, -p ${shape.parallelism})`;
      const inRun = tasks / (Math.max(runMs[i]!, 1) / 1000);
      rows.push(
        {
          measure: `flow run, ${label}`,
          value: ms[i]!,
          unit: "ms",
          ratio: { value: ms[i]! / single, to: "single" },
        },
        { measure: `  tasks/s, whole process`, value: tasks / (ms[i]! / 1000), unit: "/s" },
        {
          measure: `  tasks/s within the run`,
          value: inRun,
          unit: "/s",
          ...(shape.name === "wide" && {
            verdict: atLeast(inRun, TARGET_PER_SECOND, "20,000/s"),
          }),
        },
      );
    });
    return {
      id: "W4",
      title: "function tasks, W1-W3 shapes and a wide fan-in (flow only)",
      rows,
      notes: [
        "tasks/s within the run = tasks / (the run's end - its start, as flow records them): the rate once start-up is paid; whole process = tasks / wall time",
      ],
    };
  } finally {
    project.cleanup();
  }
}
