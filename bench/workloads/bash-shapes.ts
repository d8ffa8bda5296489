// W1 wide, W2 chain, W3 layers: the same no-op bash tasks and dependencies through flow, the
// Node floor, make -j and ninja -j.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { interleave, type BenchContext, type Runner } from "../lib/context.js";
import { floorInput, flowPipeline, makefile, ninjaFile } from "../lib/generate.js";
import { measureOk, type Measured } from "../lib/measure.js";
import { FLOW_BIN, FLOW_ENV, NODE_FLOOR, makeBenchProject } from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";
import { chainOf, edgeCount, layered, wide, type Shape } from "../lib/shapes.js";
import { maxOf, median } from "../lib/stats.js";

interface ShapeTimes {
  /** Median wall ms per runner name, for the runners that ran. */
  readonly ms: ReadonlyMap<string, number>;
  readonly flowRssKb: number | undefined;
  readonly notes: string[];
}

// Runs one shape through every available runner and returns the medians.
function runShape(shape: Shape, label: string, context: BenchContext): ShapeTimes {
  const project = makeBenchProject(label);
  const notes: string[] = [];
  try {
    const dagId = `bench_${shape.name}`;
    const j = String(shape.parallelism);
    project.write(`pipelines/${dagId}.ts`, flowPipeline(shape, { dagId, kind: "bash" }));
    project.write("tasks.json", floorInput(shape));
    project.write("Makefile", makefile(shape));
    project.write("build.ninja", ninjaFile(shape));
    const cwd = project.dir;
    const runners: Runner<Measured>[] = [
      {
        name: "node floor",
        run: () => measureOk(process.execPath, [NODE_FLOOR, "tasks.json", j], { cwd }),
      },
      {
        name: "flow",
        run: () =>
          measureOk(
            process.execPath,
            [FLOW_BIN, "run", dagId, "--parallelism", j, "--state-dir", project.freshStateDir()],
            { cwd, env: FLOW_ENV },
          ),
      },
    ];
    if (context.make.available) {
      runners.push({
        name: `make -j${j}`,
        run: () => measureOk("make", ["-s", `-j${j}`, "-f", "Makefile", "all"], { cwd }),
      });
    } else notes.push(context.make.note);
    if (context.ninja.available) {
      runners.push({
        name: `ninja -j${j}`,
        run: () => {
          rmSync(join(cwd, ".ninja_log"), { force: true });
          return measureOk("ninja", ["-j", j, "-f", "build.ninja"], { cwd });
        },
      });
    } else notes.push(context.ninja.note);
    const results = interleave(runners, context.heavyReps, context, label);
    const ms = new Map(
      runners.map((runner, i) => [runner.name, median(results[i]!.map((r) => r.ms))]),
    );
    const flowIndex = runners.findIndex((runner) => runner.name === "flow");
    return { ms, flowRssKb: maxOf(results[flowIndex]!.map((r) => r.rssKb)), notes };
  } finally {
    project.cleanup();
  }
}

// Rows for a shape: every runner's median, flow's ratio to the floor (target) and to make (goal).
function shapeRows(times: ShapeTimes, perTask: number | undefined, unit: string): Row[] {
  const value = (name: string): number => (times.ms.get(name) ?? Number.NaN) / (perTask ?? 1);
  const floor = value("node floor");
  const make = [...times.ms.keys()].find((name) => name.startsWith("make"));
  const rows: Row[] = [];
  for (const name of times.ms.keys()) {
    const v = value(name);
    rows.push({
      measure: perTask ? `${name}, per hop` : name,
      value: v,
      unit,
      ratio: { value: v / floor, to: "floor" },
      ...(name === "flow" && { verdict: atMost(v / floor, 1, "1x floor") }),
    });
  }
  if (make) {
    const ratio = value("flow") / value(make);
    rows.push({
      measure: `flow vs ${make}`,
      value: ratio,
      unit: "x",
      ratio: { value: ratio, to: make },
      verdict: atMost(ratio, 1, `1x ${make}`, "goal"),
    });
  }
  return rows.map((row) => ({ ...row }));
}

function rssRow(rssKb: number | undefined): Row[] {
  return rssKb === undefined ? [] : [{ measure: "flow peak RSS", value: rssKb / 1024, unit: "MB" }];
}

/** W1: independent tasks at parallelism 2. */
export function benchWide(context: BenchContext): WorkloadResult {
  const count = context.quick ? 20 : 1000;
  const times = runShape(wide(count, 2), "w1", context);
  return {
    id: "W1",
    title: `wide: ${count} bash tasks, parallelism 2`,
    rows: [...shapeRows(times, undefined, "ms"), ...rssRow(times.flowRssKb)],
    notes: times.notes,
  };
}

/** W2: one sequential chain; the figure is per hop (wall / tasks). */
export function benchChain(context: BenchContext): WorkloadResult {
  const count = context.quick ? 20 : 300;
  const times = runShape(chainOf(count), "w2", context);
  return {
    id: "W2",
    title: `chain: ${count} bash tasks in sequence`,
    rows: shapeRows(times, count, "ms"),
    notes: [...times.notes, "per hop = whole wall time (start-up included) / tasks"],
  };
}

/** W3: layers, each task depending on every task of the previous layer, parallelism 2. */
export function benchLayers(context: BenchContext): WorkloadResult {
  const [layers, width] = context.quick ? [4, 5] : [20, 25];
  const shape = layered(layers, width, 2);
  const times = runShape(shape, "w3", context);
  return {
    id: "W3",
    title: `layers: ${layers} x ${width} bash tasks (${edgeCount(shape)} edges), parallelism 2`,
    rows: shapeRows(times, undefined, "ms"),
    notes: times.notes,
  };
}
