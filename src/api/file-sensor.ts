import { isAbsolute, resolve } from "node:path";
import { describeValue } from "../core/describe-value.js";
import type { TaskContext } from "./context.js";
import type { Task } from "./definitions.js";
import { sensorTask, type SensorOptions } from "./sensor.js";

/**
 * A sensor done when a file matches `pattern` (Airflow's FileSensor): a glob with `*`, `?` and
 * `**`, relative to the pipeline's folder or absolute, or a function of the run context giving
 * one (`(ctx) => "incoming/" + ctx.ds + "/*.csv"`). Its result is the list of matching files,
 * absolute and sorted.
 */
export function fileSensor(
  id: string,
  pattern: string | ((ctx: TaskContext) => string),
  options: SensorOptions = {},
): Task {
  const problems =
    typeof pattern === "function" || (typeof pattern === "string" && pattern.trim() !== "")
      ? []
      : [
          `fileSensor pattern must be a non-empty string or a function, got ${describeValue(pattern)}`,
        ];
  const poke = async (ctx: TaskContext): Promise<string[] | false> => {
    const text = typeof pattern === "function" ? pattern(ctx) : pattern;
    const absolute = isAbsolute(text) ? text : resolve(ctx.runtime.pipelineDir, text);
    // Loaded on the first poke: pipelines without a file sensor never load it.
    const { findFiles } = await import("./glob.js");
    const files = await findFiles(absolute);
    ctx.log.info(`${absolute}: ${files.length === 0 ? "no match" : `${files.length} file(s)`}`);
    return files.length === 0 ? false : files;
  };
  return sensorTask(id, poke, options, problems);
}
