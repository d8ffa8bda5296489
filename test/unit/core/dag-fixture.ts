import { buildDag, formatIssue, type DagInput } from "../../../src/core/build-dag.js";
import type { Dag, TaskRole } from "../../../src/core/dag.js";
import type { TaskInstance } from "../../../src/core/run.js";
import type { TaskState } from "../../../src/core/states.js";
import { newTaskInstance } from "../../../src/core/transitions.js";

/**
 * A task by its upstream ids, or by upstream ids plus task options; with a `role` (branch,
 * short_circuit) it is a function task, otherwise a bash task.
 */
export type TaskDef =
  string[] | ({ upstream?: string[]; role?: TaskRole } & Record<string, unknown>);

/** A valid Dag from a literal: `makeDag({ a: [], b: ["a"] })`; throws with the issues otherwise. */
export function makeDag(tasks: Record<string, TaskDef>, dag: Partial<DagInput> = {}): Dag {
  const result = buildDag({
    file: "pipelines/test.ts",
    id: "test",
    ...dag,
    tasks: Object.entries(tasks).map(([id, def]) => {
      const { upstream = [], role, ...options } = Array.isArray(def) ? { upstream: def } : def;
      if (role === undefined) return { id, kind: "bash", upstream, downstream: [], options };
      return { id, kind: "function", role, upstream, downstream: [], options };
    }),
  });
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
  return result.dag;
}

/** Task instances of `dag`, each in the state given (default none). */
export function instances(
  dag: Dag,
  states: Record<string, TaskState | Partial<TaskInstance>> = {},
): Record<string, TaskInstance> {
  return Object.fromEntries(
    [...dag.tasks.values()].map((spec) => {
      const given = states[spec.id];
      const patch = typeof given === "string" ? { state: given } : (given ?? {});
      return [spec.id, { ...newTaskInstance(spec), ...patch }];
    }),
  );
}

/** A chain t00000 -> t00001 -> ... of `n` tasks. */
export function chainDag(n: number): Dag {
  const name = (i: number): string => `t${String(i).padStart(5, "0")}`;
  const tasks: Record<string, TaskDef> = {};
  for (let i = 0; i < n; i++) tasks[name(i)] = i === 0 ? [] : [name(i - 1)];
  return makeDag(tasks);
}
