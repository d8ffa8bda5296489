import { describe, expect, it } from "vitest";
import { IndexMinHeap } from "../../../src/core/min-heap.js";
import {
  namesOf,
  orderRanked,
  rankGraph,
  type RankedGraph,
} from "../../../src/core/ranked-graph.js";

// A graph from ids and [upstream, downstream] id pairs.
function graphOf(ids: string[], edges: [string, string][]): RankedGraph {
  const index = new Map(ids.map((id, i) => [id, i]));
  return rankGraph(
    ids,
    index,
    edges.map(([u]) => index.get(u)!),
    edges.map(([, v]) => index.get(v)!),
  );
}

function listsOf(graph: RankedGraph): Record<string, { up: string[]; down: string[] }> {
  return Object.fromEntries(
    graph.names.map((id, r) => [
      id,
      {
        up: namesOf(graph, graph.up, graph.upStart[r]!, graph.upEnd[r]!),
        down: namesOf(graph, graph.down, graph.downStart[r]!, graph.downStart[r + 1]!),
      },
    ]),
  );
}

describe("rankGraph", () => {
  it("numbers ids in plain string order, both ways", () => {
    const graph = graphOf(["b", "B", "a", "a1", "A"], []);
    expect(graph.names).toEqual(["A", "B", "a", "a1", "b"]);
    expect([...graph.rankOf]).toEqual([4, 1, 2, 3, 0]);
    expect([...graph.indexOf]).toEqual([4, 1, 2, 3, 0]);
  });

  it("lists each edge once, smallest id first, whatever order they came in", () => {
    const graph = graphOf(
      ["d", "c", "b", "a"],
      [
        ["c", "d"],
        ["a", "d"],
        ["b", "d"],
        ["a", "d"],
        ["a", "c"],
        ["a", "b"],
        ["c", "d"],
      ],
    );
    expect(listsOf(graph)).toEqual({
      a: { up: [], down: ["b", "c", "d"] },
      b: { up: ["a"], down: ["d"] },
      c: { up: ["a"], down: ["d"] },
      d: { up: ["a", "b", "c"], down: [] },
    });
  });
});

describe("orderRanked", () => {
  it("gives ranks in topological order, ties by id", () => {
    const graph = graphOf(
      ["z", "y", "x", "w"],
      [
        ["y", "w"],
        ["z", "x"],
      ],
    );
    const result = orderRanked(graph);
    expect("order" in result && [...result.order].map((r) => graph.names[r])).toEqual([
      "y",
      "w",
      "z",
      "x",
    ]);
  });

  it("names a cycle from its smallest id", () => {
    const graph = graphOf(
      ["r", "q", "p", "root"],
      [
        ["root", "q"],
        ["q", "r"],
        ["r", "p"],
        ["p", "q"],
      ],
    );
    expect(orderRanked(graph)).toEqual({ cycle: ["p", "q", "r", "p"] });
  });
});

describe("IndexMinHeap", () => {
  it("pops numbers smallest first, -1 when empty", () => {
    const heap = new IndexMinHeap(8);
    for (const n of [5, 3, 7, 0, 6, 2, 4, 1]) heap.push(n);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    expect(popped).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(heap.pop()).toBe(-1);
  });

  it("interleaves pushes and pops", () => {
    const heap = new IndexMinHeap(6);
    heap.push(4);
    heap.push(2);
    expect(heap.pop()).toBe(2);
    heap.push(9);
    heap.push(1);
    heap.push(3);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([1, 3, 4, 9]);
  });
});
