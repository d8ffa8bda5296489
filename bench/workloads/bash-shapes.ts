// W1 wide, W2 chain, W3 layers: the same no-op bash tasks and dependencies through flow, the
// Node floor, make -j (stock, and with every recipe through `sh -c`) and ninja -j. The headline
// rows run a real program, /usr/bin/true: one exec per task in every runner, as users' tasks
// are. A second flow runner runs the shell builtin `true`, which flow's helpers start no program
// for (make still execs /usr/bin/true for it): labelled as such, never the headline.
import { existsSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { interleave, type BenchContext, type Runner } from "../lib/context.js";
import { fileCreateCost } from "../lib/file-create.js";
import { floorInput, flowPipeline, makefile, ninjaFile } from "../lib/generate.js";
import { measureOk, type Measured } from "../lib/measure.js";
import {
  FLOW_BIN,
  FLOW_ENV,
  NATIVE_SPAWNER,
  NODE_FLOOR,
  SPAWNER_FLOOR,
  makeBenchProject,
} from "../lib/project.js";
import { atMost, type Row, type WorkloadResult } from "../lib/report.js";
import { chainOf, edgeCount, layered, wide, type Shape } from "../lib/shapes.js";
import { maxOf, median } from "../lib/stats.js";

interface ShapeTimes {
  /** Median wall ms per runner name, for the runners that ran. */
  readonly ms: ReadonlyMap<string, number>;
  /** Median CPU ms (user + sys, the whole process tree) per runner, where GNU time gave it. */
  readonly cpu: ReadonlyMap<string, number>;
  readonly flowRssKb: number | undefined;
  /** Microseconds to create a file beside the runs' state dirs, measured after the runs. */
  readonly fileCreateUs: number;
  readonly notes: string[];
}

/** The real program every headline row runs. */
export const REAL_PROGRAM = "/usr/bin/true";
const BUILTIN = "flow, builtin `true`";
const BASE = "flow, BENCH_BASE_FLOW build";
// Node driving flow's native spawner and nothing else (bench/spawner-floor.mjs): not flow.
const SPAWNER = "spawner floor";
// The same runner on a one-task version of the shape: its fixed cost, start-up and exit.
const ONE = ", 1 task";

// make's exec fast path is on only when SHELL is /bin/sh itself: the same shell under its real
// path turns it off. Undefined when /bin/sh is not a link (then the sh -c row is skipped).
function makeShellWithoutFastPath(): string | undefined {
  const real = realpathSync("/bin/sh");
  return real === "/bin/sh" ? undefined : real;
}

// Runs one shape through every available runner and returns the medians.
function runShape(shape: Shape, label: string, context: BenchContext): ShapeTimes {
  const project = makeBenchProject(label);
  const notes: string[] = [];
  try {
    const dagId = `bench_${shape.name}`;
    const builtinId = `bench_${shape.name}_builtin`;
    const j = String(shape.parallelism);
    const command = REAL_PROGRAM;
    project.write(`pipelines/${dagId}.ts`, flowPipeline(shape, { dagId, kind: "bash", command }));
    project.write(
      `pipelines/${builtinId}.ts`,
      flowPipeline(shape, { dagId: builtinId, kind: "bash" }),
    );
    const one = wide(1, shape.parallelism);
    project.write(
      "pipelines/bench_one.ts",
      flowPipeline(one, { dagId: "bench_one", kind: "bash", command }),
    );
    project.write("one.mk", makefile(one, command));
    project.write("tasks.json", floorInput(shape, command));
    project.write("one.json", floorInput(one, command));
    project.write("Makefile", makefile(shape, command));
    const shell = makeShellWithoutFastPath();
    // Not "Makefile.sh": make's built-in rule `%: %.sh` would remake Makefile from it.
    if (shell) project.write("shell.mk", makefile(shape, command, shell));
    project.write("build.ninja", ninjaFile(shape, command));
    const cwd = project.dir;
    const flowRun =
      (id: string, bin = FLOW_BIN) =>
      () =>
        measureOk(
          process.execPath,
          [bin, "run", id, "--parallelism", j, "--state-dir", project.freshStateDir()],
          { cwd, env: FLOW_ENV },
        );
    const runners: Runner<Measured>[] = [
      {
        name: "node floor",
        run: () => measureOk(process.execPath, [NODE_FLOOR, "tasks.json", j], { cwd }),
      },
      { name: "flow", run: flowRun(dagId) },
      { name: `flow${ONE}`, run: flowRun("bench_one") },
      { name: BUILTIN, run: flowRun(builtinId) },
    ];
    if (existsSync(NATIVE_SPAWNER)) {
      const floorRun = (input: string) => () =>
        measureOk(process.execPath, [SPAWNER_FLOOR, NATIVE_SPAWNER, input, j], { cwd });
      runners.push({ name: SPAWNER, run: floorRun("tasks.json") });
      runners.push({ name: `${SPAWNER}${ONE}`, run: floorRun("one.json") });
    } else notes.push("the native spawner is not built: the spawner floor rows are skipped");
    // Before/after in one run: BENCH_BASE_FLOW names another build's bin/flow.js.
    const base = process.env.BENCH_BASE_FLOW;
    if (base) runners.push({ name: BASE, run: flowRun(dagId, base) });
    if (context.make.available) {
      runners.push({
        name: `make -j${j}`,
        run: () => measureOk("make", ["-s", `-j${j}`, "-f", "Makefile", "all"], { cwd }),
      });
      runners.push({
        name: `make -j${j}${ONE}`,
        run: () => measureOk("make", ["-s", `-j${j}`, "-f", "one.mk", "all"], { cwd }),
      });
      if (shell)
        runners.push({
          name: `make -j${j}, sh -c`,
          run: () => measureOk("make", ["-s", `-j${j}`, "-f", "shell.mk", "all"], { cwd }),
        });
      else notes.push("/bin/sh is not a link: the make sh -c row is skipped");
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
    const cpu = new Map<string, number>();
    runners.forEach((runner, i) => {
      const values = results[i]!.map((r) => r.cpuMs);
      if (values.every((v) => v !== undefined)) cpu.set(runner.name, median(values as number[]));
    });
    // After the runs: their thousands of files are not freed inodes that this would skip.
    const fileCreateUs = fileCreateCost(join(cwd, "file-create")).wallUs;
    return {
      ms,
      cpu,
      flowRssKb: maxOf(results[flowIndex]!.map((r) => r.rssKb)),
      fileCreateUs,
      notes,
    };
  } finally {
    project.cleanup();
  }
}

// Rows for a shape: every runner's median with its ratio to the floor; flow against the floor
// (issue 5's target) and against make (issue 14's target, 1.5x; make itself is the goal), for the
// whole run and per task with each runner's fixed cost (its one-task run) taken out.
function shapeRows(
  times: ShapeTimes,
  tasks: number,
  perTask: number | undefined,
  unit: string,
): Row[] {
  const value = (name: string): number => (times.ms.get(name) ?? Number.NaN) / (perTask ?? 1);
  const floor = value("node floor");
  const make = [...times.ms.keys()].find((name) => /^make -j\d+$/.test(name));
  const rows: Row[] = [];
  for (const name of times.ms.keys()) {
    if (name === BUILTIN || name === BASE || name === SPAWNER || name.endsWith(ONE)) continue;
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
    rows.push(versus(make, "whole run", value("flow") / value(make), true));
    rows.push(...perTaskRows(times, make, tasks, perTask ? "per hop" : "per task"));
  }
  const cpu = (name: string): number => (times.cpu.get(name) ?? Number.NaN) / (perTask ?? 1);
  if (make && times.cpu.has("flow") && times.cpu.has(make)) {
    for (const name of ["flow", make, ...(times.cpu.has(BASE) ? [BASE] : [])]) {
      rows.push({
        measure: `CPU time, ${name}${perTask ? ", per hop" : ""}`,
        value: cpu(name),
        unit,
      });
    }
    rows.push(versus(make, "CPU time", cpu("flow") / cpu(make), false));
  }
  if (times.ms.has(BASE) && make) {
    const base = value(BASE);
    rows.push({
      measure: `${BASE}${perTask ? ", per hop" : ""}`,
      value: base,
      unit,
      ratio: { value: base / value(make), to: make },
    });
  }
  // Context, not a target: flow creates a log file per try, make none; what that costs here
  // moves every flow row (bench/lib/file-create.ts says why it varies between machines).
  rows.push({
    measure: "context: creating a file where the state dirs are (flow: one a try)",
    value: times.fileCreateUs / 1000,
    unit: "ms",
  });
  const builtin = value(BUILTIN);
  rows.push({
    measure: `${BUILTIN} (no exec)${perTask ? ", per hop" : ""}`,
    value: builtin,
    unit,
    ratio: make
      ? { value: builtin / value(make), to: make }
      : { value: builtin / floor, to: "floor" },
  });
  return rows;
}

// Per task with the fixed cost out: (the run - the one-task run) / (tasks - 1), for flow and make.
function perTaskRows(times: ShapeTimes, make: string, tasks: number, per: string): Row[] {
  const marginal = (name: string): number =>
    ((times.ms.get(name) ?? Number.NaN) - (times.ms.get(`${name}${ONE}`) ?? Number.NaN)) /
    (tasks - 1);
  const flow = marginal("flow");
  const peer = marginal(make);
  const rows: Row[] = [
    { measure: `flow, ${per}, start-up excluded`, value: flow, unit: "ms" },
    { measure: `${make}, ${per}, start-up excluded`, value: peer, unit: "ms" },
    { measure: `flow${ONE} (fixed cost)`, value: times.ms.get(`flow${ONE}`)!, unit: "ms" },
    { measure: `${make}${ONE} (fixed cost)`, value: times.ms.get(`${make}${ONE}`)!, unit: "ms" },
    versus(make, `${per}, start-up excluded`, flow / peer, true),
  ];
  // Context, not a target: what Node and the spawner's two processes cost with no work of
  // flow's. flow over it is flow's own work; it over make is the process layout's.
  if (times.ms.has(SPAWNER)) {
    const floor = marginal(SPAWNER);
    rows.push({
      measure: `${SPAWNER} (Node + flow's spawner, no state), ${per}, start-up excluded`,
      value: floor,
      unit: "ms",
      ratio: { value: floor / peer, to: make },
    });
  }
  return rows;
}

// A row `flow vs <make>, <what>`: the ratio, with issue 14's verdict (1.5x make) when `judged`.
function versus(make: string, what: string, ratio: number, judged: boolean): Row {
  return {
    measure: `flow vs ${make}, ${what}`,
    value: ratio,
    unit: "x",
    ratio: { value: ratio, to: make },
    ...(judged && { verdict: atMost(ratio, 1.5, `1.5x ${make}`) }),
  };
}

const commandNotes = [
  `every task runs ${REAL_PROGRAM} (a real program), except the row "${BUILTIN}": sh's builtin, for which flow starts no program (make, the floor and ninja exec /usr/bin/true or sh for it)`,
  "make -jN, sh -c: SHELL set to /bin/sh's real path, which turns GNU make's exec fast path off: every recipe runs through `sh -c`",
  "start-up excluded: (the run - the same runner's run of a one-task pipeline or Makefile) / (tasks - 1); the fixed cost has its own target (W11)",
  "spawner floor: bench/spawner-floor.mjs, Node writing flow's records to flow's native spawner and starting the next task on each end line, with no state, journal, trigger rules or output; context for what flow's own work costs, not a target",
];

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
    rows: [...shapeRows(times, count, undefined, "ms"), ...rssRow(times.flowRssKb)],
    notes: [...times.notes, ...commandNotes],
  };
}

/** W2: one sequential chain; the figure is per hop (wall / tasks). */
export function benchChain(context: BenchContext): WorkloadResult {
  const count = context.quick ? 20 : 300;
  const times = runShape(chainOf(count), "w2", context);
  return {
    id: "W2",
    title: `chain: ${count} bash tasks in sequence`,
    rows: shapeRows(times, count, count, "ms"),
    notes: [
      ...times.notes,
      ...commandNotes,
      "per hop = whole wall time (start-up included) / tasks",
    ],
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
    rows: shapeRows(times, layers * width, undefined, "ms"),
    notes: [...times.notes, ...commandNotes],
  };
}
