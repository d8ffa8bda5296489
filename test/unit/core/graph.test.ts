import { describe, expect, it } from "vitest";
import {
  downstreamClosure,
  leafIds,
  rootIds,
  topologicalOrder,
  upstreamClosure,
} from "../../../src/core/graph.js";
import { chainDag, makeDag } from "./dag-fixture.js";

const edges =
  (upstream: Record<string, string[]>) =>
  (id: string): string[] =>
    upstream[id] ?? [];

describe("topologicalOrder", () => {
  it.each([
    ["no edges: by id", ["c", "a", "b"], {}, ["a", "b", "c"]],
    [
      "a chain",
      ["load", "extract", "transform"],
      { transform: ["extract"], load: ["transform"] },
      ["extract", "transform", "load"],
    ],
    [
      "a diamond, ties by id",
      ["d", "c", "b", "a"],
      { b: ["a"], c: ["a"], d: ["b", "c"] },
      ["a", "b", "c", "d"],
    ],
    ["a late root comes when its id is smallest", ["b", "c", "a"], { c: ["b"] }, ["a", "b", "c"]],
    ["repeated upstream counted once", ["a", "b"], { b: ["a", "a"] }, ["a", "b"]],
    ["unknown upstream ignored", ["a", "b"], { b: ["a", "ghost"] }, ["a", "b"]],
    ["duplicate ids kept once", ["a", "a", "b"], { b: ["a"] }, ["a", "b"]],
  ])("%s", (_name, ids, upstream, order) => {
    expect(topologicalOrder(ids, edges(upstream))).toEqual({ order });
  });

  it.each([
    [
      "two tasks",
      ["extract", "transform"],
      { extract: ["transform"], transform: ["extract"] },
      ["extract", "transform", "extract"],
    ],
    ["a self-dependency", ["a"], { a: ["a"] }, ["a", "a"]],
    [
      "three tasks, in flow order from the smallest id",
      ["x", "b", "c"],
      { x: ["c"], b: ["x"], c: ["b"] },
      ["b", "c", "x", "b"],
    ],
    [
      "a cycle downstream of a valid part",
      ["a", "b", "c", "d"],
      { b: ["a"], c: ["b", "d"], d: ["c"] },
      ["c", "d", "c"],
    ],
    [
      "a task hanging off a cycle is not part of it",
      ["a", "b", "z"],
      { a: ["b"], b: ["a"], z: ["a"] },
      ["a", "b", "a"],
    ],
  ])("a cycle: %s", (_name, ids, upstream, cycle) => {
    expect(topologicalOrder(ids, edges(upstream))).toEqual({ cycle });
  });

  it("orders a 10,000-task chain and a 10,000-task cycle without recursion", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `t${String(i).padStart(5, "0")}`);
    const index = new Map(ids.map((id, i) => [id, i]));
    const previous = (id: string): string[] =>
      index.get(id)! > 0 ? [ids[index.get(id)! - 1]!] : [];
    const chain = topologicalOrder([...ids].reverse(), previous);
    expect("order" in chain && chain.order).toEqual(ids);

    const cycle = topologicalOrder(ids, (id) => [
      ids[(index.get(id)! + ids.length - 1) % ids.length]!,
    ]);
    expect("cycle" in cycle && cycle.cycle.length).toBe(10_001);
  });
});

describe("closures, roots and leaves", () => {
  //   extract -> clean -> load -> notify
  //           -> enrich -^
  //   audit (alone)
  const dag = makeDag({
    extract: [],
    clean: ["extract"],
    enrich: ["extract"],
    load: ["clean", "enrich"],
    notify: ["load"],
    audit: [],
  });

  it.each([
    ["of a leaf", ["notify"], ["clean", "enrich", "extract", "load"]],
    ["of a root", ["extract"], []],
    ["of two ids, one the other's ancestor", ["clean", "load"], ["clean", "enrich", "extract"]],
    ["of an unknown id", ["ghost"], []],
  ])("upstreamClosure %s", (_name, ids, expected) => {
    expect([...upstreamClosure(dag, ids)].sort()).toEqual(expected);
  });

  it.each([
    ["of a root", ["extract"], ["clean", "enrich", "load", "notify"]],
    ["of a leaf", ["notify"], []],
    [
      "of two ids, one the other's descendant",
      ["extract", "load"],
      ["clean", "enrich", "load", "notify"],
    ],
  ])("downstreamClosure %s", (_name, ids, expected) => {
    expect([...downstreamClosure(dag, ids)].sort()).toEqual(expected);
  });

  it("roots and leaves in DAG order", () => {
    expect(rootIds(dag)).toEqual(["audit", "extract"]);
    expect(leafIds(dag)).toEqual(["audit", "notify"]);
  });

  it("walks a 10,000-task chain without recursion", () => {
    const chain = chainDag(10_000);
    expect(upstreamClosure(chain, ["t09999"]).size).toBe(9_999);
    expect(downstreamClosure(chain, ["t00000"]).size).toBe(9_999);
  });
});
