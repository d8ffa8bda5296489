// Writes one shape as each runner's input: a flow pipeline, a Makefile, a build.ninja and the
// Node floor's JSON. Every task runs the same command, a no-op: `/usr/bin/true` (a real program,
// what users run: one exec per task in every runner) or `true` (a shell builtin).
import { taskId, type Shape } from "./shapes.js";

export type TaskKind = "bash" | "function";

export interface PipelineOptions {
  readonly dagId: string;
  readonly kind: TaskKind;
  /** Extra DAG options, as TypeScript source (e.g. `schedule: "@daily"`). */
  readonly dagExtras?: string;
  /** A bash task's command. Default `true`. */
  readonly command?: string;
}

/**
 * A pipeline module whose tasks are built in a loop from the shape's edge list, as a generated
 * DAG would be; the file stays small, so loading it measures flow rather than the transpiler.
 */
export function flowPipeline(shape: Shape, options: PipelineOptions): string {
  const command = JSON.stringify(options.command ?? "true");
  const make =
    options.kind === "bash" ? `bash(\`t\${i}\`, ${command})` : `fn(\`t\${i}\`, async () => {})`;
  return [
    `import { dag, ${options.kind === "bash" ? "bash" : "fn"}, chain } from "flow";`,
    ``,
    `const upstream: number[][] = ${JSON.stringify(shape.upstream)};`,
    `const tasks = upstream.map((_, i) => ${make});`,
    `upstream.forEach((ups, i) => ups.forEach((u) => chain(tasks[u]!, tasks[i]!)));`,
    ``,
    `export default dag({`,
    `  id: ${JSON.stringify(options.dagId)},`,
    `  maxActiveTasks: ${Math.max(16, shape.parallelism)},`,
    options.dagExtras ? `  ${options.dagExtras},` : "",
    `  tasks,`,
    `});`,
    ``,
  ]
    .filter((line, i, all) => line !== "" || all[i - 1] !== "")
    .join("\n");
}

/**
 * A Makefile with one phony target per task; `make -j N` runs it. `shell` is make's SHELL: with
 * `/bin/sh` (stock) GNU make execs a simple recipe itself, with no shell; any other SHELL turns
 * that fast path off, and every recipe goes through `SHELL -c` (the `sh -c` rows).
 */
export function makefile(shape: Shape, command = "true", shell = "/bin/sh"): string {
  const ids = shape.upstream.map((_, i) => taskId(i));
  const lines = [`SHELL := ${shell}`, `.PHONY: all ${ids.join(" ")}`, `all: ${ids.join(" ")}`];
  shape.upstream.forEach((ups, i) => {
    lines.push(`${taskId(i)}: ${ups.map(taskId).join(" ")}`.trimEnd(), `\t${command}`);
  });
  return `${lines.join("\n")}\n`;
}

/** A build.ninja with one phony-output edge per task (never up to date, so it always runs). */
export function ninjaFile(shape: Shape, command = "true"): string {
  const lines = ["rule run", `  command = ${command}`, ""];
  shape.upstream.forEach((ups, i) => {
    const after = ups.length > 0 ? ` || ${ups.map(taskId).join(" ")}` : "";
    lines.push(`build ${taskId(i)}: run${after}`);
  });
  lines.push(
    `build all: phony ${shape.upstream.map((_, i) => taskId(i)).join(" ")}`,
    "default all",
  );
  return `${lines.join("\n")}\n`;
}

/** The Node floor's input: the commands and their dependencies. */
export function floorInput(shape: Shape, command = "true"): string {
  return JSON.stringify({ commands: shape.upstream.map(() => command), upstream: shape.upstream });
}
