import type { Dag } from "../../core/dag.js";

/**
 * How deep each task sits in the terminal's tree (`flow tree`): roots (sorted) at 0, each task
 * at the depth where a depth-first walk over the downstream lists first meets it. The grid
 * indents its rows by it, so the browser's rows read like the terminal's tree. Iterative: a
 * long chain must not overflow the stack.
 */
export function taskDepths(dag: Dag): Map<string, number> {
  const depths = new Map<string, number>();
  const roots = [...dag.tasks.values()]
    .filter((task) => task.upstream.length === 0)
    .map((task) => task.id)
    .sort();
  for (const root of roots) {
    const stack: [string, number][] = [[root, 0]];
    while (stack.length > 0) {
      const [id, depth] = stack.pop()!;
      if (depths.has(id)) continue;
      depths.set(id, depth);
      const children = dag.tasks.get(id)?.downstream ?? [];
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth + 1]);
    }
  }
  return depths;
}
