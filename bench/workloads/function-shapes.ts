// W4: the W1-W3 shapes with no-op function tasks, through flow only (no peer runs functions).
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
    const runners: Runner<number>[] = shapes.map((shape, i) => ({
      name: dagIds[i]!,
      run: () =>
        measureOk(
          process.execPath,
          [
            FLOW_BIN,
            "run",
            dagIds[i]!,
            "--parallelism",
            String(shape.parallelism),
            "--state-dir",
            project.freshStateDir(),
          ],
          { cwd: project.dir, env: FLOW_ENV },
        ).ms,
    }));
    // Each run takes about as long as start-up, so the rate is a small difference of two
    // medians: the light (larger) repetition count keeps it steady.
    const results = interleave(runners, context.lightReps, context, "w4");
    const ms = results.map((values) => median(values));
    const single = ms[0]!;
    const rows: Row[] = [
      {
        measure: "flow run, 1 function task",
        value: single,
        unit: "ms",
        ratio: { value: 1, to: "single" },
      },
    ];
    shapes.slice(1).forEach((shape, k) => {
      const i = k + 1;
      const tasks = shape.upstream.length;
      const label = `${shape.name} (${tasks}, -p ${shape.parallelism})`;
      const extraMs = ms[i]! - single;
      // A run no slower than the single-task one (tiny quick-mode shapes) has no measurable rate.
      const marginal = extraMs > 0 ? tasks / (extraMs / 1000) : Number.NaN;
      rows.push(
        {
          measure: `flow run, ${label}`,
          value: ms[i]!,
          unit: "ms",
          ratio: { value: ms[i]! / single, to: "single" },
        },
        {
          measure: `  tasks/s, whole run`,
          value: tasks / (ms[i]! / 1000),
          unit: "/s",
        },
        {
          measure: `  tasks/s beyond the single-task run`,
          value: marginal,
          unit: "/s",
          ...(shape.name === "wide" &&
            extraMs > 0 && {
              verdict: atLeast(marginal, TARGET_PER_SECOND, "20,000/s"),
            }),
        },
      );
    });
    return {
      id: "W4",
      title: "function tasks, W1-W3 shapes (flow only)",
      rows,
      notes: [
        "tasks/s beyond the single-task run = tasks / (wall - wall of a 1-task run): the rate once start-up is paid",
      ],
    };
  } finally {
    project.cleanup();
  }
}
