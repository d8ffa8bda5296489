import { IndexMinHeap } from "./min-heap.js";

/**
 * A graph whose nodes are numbered by rank: node r has the r-th smallest id (plain string order).
 * Each node's upstream and downstream nodes are listed once each, smallest rank first, as slices
 * of flat arrays: node r waits for `up[upStart[r]]` .. `up[upEnd[r] - 1]`, and
 * `down[downStart[r]]` .. `down[downStart[r + 1] - 1]` wait for it.
 */
export interface RankedGraph {
  /** Ids by rank, so sorted. */
  readonly names: readonly string[];
  /** rankOf[i]: the rank of the i-th id given to rankGraph. */
  readonly rankOf: Int32Array;
  /** indexOf[r]: the position of rank r's id among the ids given to rankGraph. */
  readonly indexOf: Int32Array;
  readonly up: Int32Array;
  readonly upStart: Int32Array;
  readonly upEnd: Int32Array;
  readonly down: Int32Array;
  readonly downStart: Int32Array;
}

/**
 * Ranks `ids` (distinct; `index` maps each to its position) and lists the edges `from[k]` ->
 * `to[k]` (positions in `ids`; `to[k]` waits for `from[k]`) by rank. Repeated edges count once.
 * Comparing ranks instead of ids keeps string comparison to one sort.
 */
export function rankGraph(
  ids: readonly string[],
  index: ReadonlyMap<string, number>,
  from: readonly number[],
  to: readonly number[],
): RankedGraph {
  const n = ids.length;
  const m = from.length;
  // The default sort compares UTF-16 code units, as `<` does on strings.
  const names = ids.slice().sort();
  const rankOf = new Int32Array(n);
  const indexOf = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = index.get(names[r]!)!;
    rankOf[i] = r;
    indexOf[r] = i;
  }

  // Edges bucketed by upstream rank (a counting sort), so that walking the buckets in rank order
  // appends each upstream list in rank order, with repeats side by side.
  const sourceStart = new Int32Array(n + 1);
  const upStart = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    sourceStart[rankOf[from[k]!]! + 1]!++;
    upStart[rankOf[to[k]!]! + 1]!++;
  }
  for (let r = 0; r < n; r++) {
    sourceStart[r + 1]! += sourceStart[r]!;
    upStart[r + 1]! += upStart[r]!;
  }
  const targets = new Int32Array(m);
  const cursor = sourceStart.slice(0, n);
  for (let k = 0; k < m; k++) targets[cursor[rankOf[from[k]!]!]!++] = rankOf[to[k]!]!;

  const up = new Int32Array(m);
  const upEnd = upStart.slice(0, n);
  const downStart = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) {
    for (let j = sourceStart[u]!, end = sourceStart[u + 1]!; j < end; j++) {
      const v = targets[j]!;
      const e = upEnd[v]!;
      if (e > upStart[v]! && up[e - 1] === u) continue;
      up[e] = u;
      upEnd[v] = e + 1;
      downStart[u + 1]!++;
    }
  }
  for (let r = 0; r < n; r++) downStart[r + 1]! += downStart[r]!;
  const down = new Int32Array(downStart[n]!);
  cursor.set(downStart.subarray(0, n));
  for (let v = 0; v < n; v++) {
    for (let j = upStart[v]!, end = upEnd[v]!; j < end; j++) down[cursor[up[j]!]!++] = v;
  }
  return { names, rankOf, indexOf, up, upStart, upEnd, down, downStart };
}

/**
 * Kahn's algorithm, upstream before downstream; among nodes ready at the same time the smaller
 * rank comes first. When the graph has a cycle, returns one of them in flow order starting at its
 * smallest id, first id repeated at the end: `["extract", "transform", "extract"]`; a
 * self-dependency is `["a", "a"]`. No recursion.
 */
export function orderRanked(graph: RankedGraph): { order: Int32Array } | { cycle: string[] } {
  const { names, upStart, upEnd, down, downStart } = graph;
  const n = names.length;
  const indegree = new Int32Array(n);
  const ready = new IndexMinHeap(n);
  for (let v = 0; v < n; v++) {
    indegree[v] = upEnd[v]! - upStart[v]!;
    if (indegree[v] === 0) ready.push(v);
  }
  const order = new Int32Array(n);
  let count = 0;
  while (ready.size > 0) {
    const v = ready.pop();
    order[count++] = v;
    for (let j = downStart[v]!, end = downStart[v + 1]!; j < end; j++) {
      const w = down[j]!;
      if (--indegree[w]! === 0) ready.push(w);
    }
  }
  if (count === n) return { order };
  return { cycle: findCycle(graph, indegree) };
}

// After Kahn's algorithm every node left (indegree > 0) has an upstream that is also left, so
// walking upstream from one must come back to a node already on the path: that loop is a cycle.
// Upstream lists are in rank order, so the first node left in one is its smallest.
function findCycle(graph: RankedGraph, indegree: Int32Array): string[] {
  const { names, up, upStart, upEnd } = graph;
  const smallestUpstreamLeft = (v: number): number => {
    for (let j = upStart[v]!; j < upEnd[v]!; j++) if (indegree[up[j]!]! > 0) return up[j]!;
    throw new Error(`bug: task "${names[v]}" is left without an upstream task left`);
  };
  let v = indegree.findIndex((degree) => degree > 0);
  const path: number[] = [];
  const position = new Map<number, number>();
  while (!position.has(v)) {
    position.set(v, path.length);
    path.push(v);
    v = smallestUpstreamLeft(v);
  }
  const loop = path.slice(position.get(v)).reverse();
  const start = loop.indexOf(loop.reduce((a, b) => Math.min(a, b)));
  const rotated = [...loop.slice(start), ...loop.slice(0, start)].map((r) => names[r]!);
  return [...rotated, rotated[0]!];
}

/**
 * The ids of `list[start]` .. `list[end - 1]`, ranks in a RankedGraph: an array of exactly that
 * length (one grown by push would hold room for 17 ids, and a DAG keeps two per task).
 */
export function namesOf(
  graph: RankedGraph,
  list: Int32Array,
  start: number,
  end: number,
): string[] {
  const names = new Array<string>(end - start);
  for (let j = start; j < end; j++) names[j - start] = graph.names[list[j]!]!;
  return names;
}
