// The dependency shapes of the workloads, as plain data every generator reads the same way.

/** Tasks 0..n-1; `upstream[i]` lists the tasks that must finish before task i starts. */
export interface Shape {
  readonly name: string;
  readonly upstream: readonly (readonly number[])[];
  /** Tasks running at once, for every runner. */
  readonly parallelism: number;
}

/** Task ids as every runner names them. */
export function taskId(index: number): string {
  return `t${index}`;
}

/** `count` independent tasks (W1). */
export function wide(count: number, parallelism: number): Shape {
  return { name: "wide", upstream: Array.from({ length: count }, () => []), parallelism };
}

/** One sequential chain of `count` tasks (W2). */
export function chainOf(count: number): Shape {
  return {
    name: "chain",
    upstream: Array.from({ length: count }, (_, i) => (i === 0 ? [] : [i - 1])),
    parallelism: 1,
  };
}

/** `layers` layers of `width` tasks, each task depending on every task of the layer before (W3). */
export function layered(layers: number, width: number, parallelism: number): Shape {
  const upstream: number[][] = [];
  for (let layer = 0; layer < layers; layer++) {
    const previous =
      layer === 0 ? [] : Array.from({ length: width }, (_, i) => (layer - 1) * width + i);
    for (let i = 0; i < width; i++) upstream.push(previous);
  }
  return { name: "layers", upstream, parallelism };
}

/**
 * A big DAG for load and validation (W6): a binary tree (task i under task (i-1)/2) with a
 * second upstream task (i-1) on every third task, so that tasks share upstreams as real DAGs do.
 */
export function bigDag(count: number): Shape {
  const upstream: number[][] = [[]];
  for (let i = 1; i < count; i++) {
    const parent = Math.floor((i - 1) / 2);
    upstream.push(i % 3 === 0 && i - 1 !== parent ? [parent, i - 1] : [parent]);
  }
  return { name: "big", upstream, parallelism: 2 };
}

/** Number of dependency edges, for the workload descriptions. */
export function edgeCount(shape: Shape): number {
  return shape.upstream.reduce((sum, ups) => sum + ups.length, 0);
}
