import { buildRunContextBase, type RunContextBase } from "../core/context.js";
import type { Dag } from "../core/dag.js";
import { neighboursOf } from "../core/dag-timetable.js";
import type { Json } from "../core/json.js";
import type { DagRun, TaskInstance } from "../core/run.js";

/** What every try of a run is given besides its own context: results so far, shared fields. */
export class RunInputs {
  /** The results of the run's tasks that succeeded with one (`ctx.upstream`, `ctx.pull`). */
  readonly results: Record<string, Json> = {};
  private base: RunContextBase | undefined;

  /** Takes the results the run's tasks already have (a run resumed, or cleared in part). */
  collect(dag: Dag, tasks: Readonly<Record<string, TaskInstance>>): void {
    for (const spec of dag.tasks.values()) {
      const result = tasks[spec.id]?.result;
      if (result !== undefined) this.results[spec.id] = result;
    }
  }

  /** Keeps the result of a try that has just succeeded. */
  keep(instance: TaskInstance): void {
    if (instance.state === "success" && instance.result !== undefined)
      this.results[instance.task_id] = instance.result;
  }

  /** The context fields every try of the run shares, built on the first try. */
  contextBase(dag: Dag, view: () => DagRun): RunContextBase {
    if (this.base === undefined) {
      const run = view();
      this.base = buildRunContextBase(run, neighboursOf(dag, run));
    }
    return this.base;
  }
}
