import type { Dag } from "./dag.js";
import { MinHeap } from "./min-heap.js";

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
  const upstream: number[][] = names.map(() => []);
  const downstream: number[][] = names.map(() => []);
  const indegree = new Int32Array(names.length);
  // lastSeenBy[u] === v: v already listed u (a repeated upstream id counts once).
  const lastSeenBy = new Int32Array(names.length).fill(-1);
  names.forEach((id, v) => {
    for (const name of upstreamOf(id)) {
      const u = index.get(name);
      if (u === undefined || lastSeenBy[u] === v) continue;
      lastSeenBy[u] = v;
      upstream[v]!.push(u);
      downstream[u]!.push(v);
      indegree[v]!++;
    }
  });

  const byName = (a: number, b: number): boolean => names[a]! < names[b]!;
  const ready = new MinHeap<number>(byName);
  indegree.forEach((degree, v) => {
    if (degree === 0) ready.push(v);
  });
  const order: string[] = [];
  for (let v = ready.pop(); v !== undefined; v = ready.pop()) {
    order.push(names[v]!);
    for (const w of downstream[v]!) {
      if (--indegree[w]! === 0) ready.push(w);
    }
  }
  if (order.length === names.length) return { order };
  return { cycle: findCycle(names, upstream, indegree) };
}

// After Kahn's algorithm every node left (indegree > 0) has an upstream that is also left, so
// walking upstream from one must come back to a node already on the path: that loop is a cycle.
function findCycle(names: readonly string[], upstream: number[][], indegree: Int32Array): string[] {
  const left = (v: number): boolean => indegree[v]! > 0;
  const smallest = (vs: number[]): number =>
    vs.reduce((best, v) => (names[v]! < names[best]! ? v : best));
  let v = smallest(names.map((_, i) => i).filter(left));
  const path: number[] = [];
  const position = new Map<number, number>();
  while (!position.has(v)) {
    position.set(v, path.length);
    path.push(v);
    v = smallest(upstream[v]!.filter(left));
  }
  const loop = path.slice(position.get(v)).reverse();
  const start = loop.indexOf(smallest(loop));
  const rotated = [...loop.slice(start), ...loop.slice(0, start)].map((i) => names[i]!);
  return [...rotated, rotated[0]!];
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
