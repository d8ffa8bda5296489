import type { Dag } from "./dag.js";
import { orderRanked, rankGraph } from "./ranked-graph.js";

/**
 * Kahn's algorithm over `ids`, upstream before downstream; among tasks ready at the same time the
 * smaller id (plain string order) comes first, so the order never depends on declaration order.
 * `upstreamOf` may repeat ids (counted once) and name ids outside `ids` (ignored). When the graph has
 * a cycle, returns one of them in flow order starting at its smallest id, first id repeated at the
 * end: `["extract", "transform", "extract"]`; a self-dependency is `["a", "a"]`. No recursion.
 */
export function topologicalOrder(
  ids: readonly string[],
  upstreamOf: (id: string) => readonly string[],
): { order: string[] } | { cycle: string[] } {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const id of ids) {
    if (!index.has(id)) {
      index.set(id, names.length);
      names.push(id);
    }
  }
  const from: number[] = [];
  const to: number[] = [];
  names.forEach((id, v) => {
    for (const name of upstreamOf(id)) {
      const u = index.get(name);
      if (u === undefined) continue;
      from.push(u);
      to.push(v);
    }
  });
  const graph = rankGraph(names, index, from, to);
  const result = orderRanked(graph);
  if ("cycle" in result) return result;
  return { order: Array.from(result.order, (r) => graph.names[r]!) };
}

/** Every task that `ids` wait for, directly or not. An id is included only if another id needs it. */
export function upstreamClosure(dag: Dag, ids: Iterable<string>): Set<string> {
  return closure(ids, (id) => dag.tasks.get(id)?.upstream ?? []);
}

/** Every task that waits for `ids`, directly or not. An id is included only if it follows another. */
export function downstreamClosure(dag: Dag, ids: Iterable<string>): Set<string> {
  return closure(ids, (id) => dag.tasks.get(id)?.downstream ?? []);
}

function closure(ids: Iterable<string>, next: (id: string) => readonly string[]): Set<string> {
  const found = new Set<string>();
  const queue = [...ids];
  for (let i = 0; i < queue.length; i++) {
    for (const id of next(queue[i]!)) {
      if (found.has(id)) continue;
      found.add(id);
      queue.push(id);
    }
  }
  return found;
}

/** Tasks with no upstream, in the DAG's (topological) order. */
export function rootIds(dag: Dag): string[] {
  return [...dag.tasks.values()]
    .filter((task) => task.upstream.length === 0)
    .map((task) => task.id);
}

/** Tasks with no downstream (Airflow's leaves, which decide the run's state), in the DAG's order. */
export function leafIds(dag: Dag): string[] {
  return [...dag.tasks.values()]
    .filter((task) => task.downstream.length === 0)
    .map((task) => task.id);
}
