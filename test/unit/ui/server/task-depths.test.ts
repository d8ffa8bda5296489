import { describe, expect, it } from "vitest";
import type { Dag, TaskSpec } from "../../../../src/core/dag.js";
import { DEFAULT_POLICY } from "../../../../src/core/task-policy.js";
import { taskDepths } from "../../../../src/ui/server/task-depths.js";

// A DAG from `upstream` lists: only ids and edges matter to depths.
function dagOf(upstream: Record<string, string[]>): Dag {
  const tasks = new Map<string, TaskSpec>();
  for (const [id, ups] of Object.entries(upstream)) {
    const downstream = Object.keys(upstream).filter((other) => upstream[other]!.includes(id));
    tasks.set(id, {
      ...DEFAULT_POLICY,
      id,
      kind: "bash",
      role: "plain",
      upstream: ups,
      downstream,
      sensor: undefined,
    });
  }
  return { tasks } as unknown as Dag;
}

// The grid indents rows as `flow tree` does: depth where a depth-first walk first meets a task.
describe("taskDepths", () => {
  it.each([
    ["a chain", { a: [], b: ["a"], c: ["b"] }, { a: 0, b: 1, c: 2 }],
    ["two roots", { a: [], z: [], b: ["a", "z"] }, { a: 0, b: 1, z: 0 }],
    [
      "a diamond, met first through b",
      { a: [], b: ["a"], c: ["a"], d: ["b", "c"] },
      { a: 0, b: 1, c: 1, d: 2 },
    ],
    ["a shortcut met after the long way", { a: [], b: ["a"], c: ["a", "b"] }, { a: 0, b: 1, c: 2 }],
  ])("%s", (_name, upstream, depths) => {
    expect(Object.fromEntries(taskDepths(dagOf(upstream)))).toEqual(depths);
  });
});
