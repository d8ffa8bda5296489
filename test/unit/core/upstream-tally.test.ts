import { describe, expect, it } from "vitest";
import { TRIGGER_RULES, type Dag } from "../../../src/core/dag.js";
import type { TaskInstance } from "../../../src/core/run.js";
import { settleRun } from "../../../src/core/settle.js";
import { TASK_STATES, type TaskState } from "../../../src/core/states.js";
import { RunTable } from "../../../src/core/run-table.js";
import { countUpstreamOf } from "../../../src/core/trigger-rules.js";
import { stateIn, UpstreamTally } from "../../../src/core/upstream-tally.js";
import { instances, makeDag, type TaskDef } from "./dag-fixture.js";

const now = new Date("2026-01-02T00:10:00.000Z");

// A small seeded generator (mulberry32): every case below is the same on every run.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)]!;
}

// A DAG of 2-80 tasks, each depending on some of the tasks before it (a few on nearly all, so
// that some have the 48 upstream tasks from which settleRun reads the tally), with any rule.
function randomDag(next: () => number): Dag {
  const count = 2 + Math.floor(next() * 79);
  const tasks: Record<string, TaskDef> = {};
  for (let i = 0; i < count; i++) {
    const share = next() < 0.3 ? 0.95 : 0.1;
    const upstream = Array.from({ length: i }, (_, k) => `t${k}`).filter(() => next() < share);
    tasks[`t${i}`] = { upstream, triggerRule: pick(next, TRIGGER_RULES) };
  }
  return makeDag(tasks);
}

// Mostly success or none, so that most decisions hang on every upstream task's state; then
// any state.
function randomState(next: () => number): TaskState {
  const roll = next();
  return roll < 0.6 ? "success" : roll < 0.8 ? "none" : pick(next, TASK_STATES);
}

// Each task in a random state; some have no instance at all.
function randomTable(next: () => number, dag: Dag): Record<string, TaskInstance> {
  const table = instances(dag);
  for (const id of dag.tasks.keys()) {
    if (next() < 0.05) delete table[id];
    else table[id] = { ...table[id]!, state: randomState(next) };
  }
  return table;
}

function randomChange(next: () => number, dag: Dag): TaskInstance {
  const id = pick(next, [...dag.tasks.keys()]);
  return { ...instances(dag)[id]!, state: randomState(next) };
}

// The counts settleRun would find by looking each upstream task up.
function counted(dag: Dag, table: Record<string, TaskInstance>, id: string): unknown {
  return countUpstreamOf(dag.tasks.get(id)!.upstream, (u) => stateIn(table, u) ?? "none");
}

describe("UpstreamTally and RunTable", () => {
  it("counts what looking up every upstream task counts, through any sequence of changes", () => {
    const next = random(14);
    for (let round = 0; round < 200; round++) {
      const dag = randomDag(next);
      // RunTable: the engine's table, whose set() changes an instance and the tally together.
      const table = new RunTable(dag, randomTable(next, dag));
      for (let step = 0; step < 10; step++) table.set(randomChange(next, dag));
      for (const id of dag.tasks.keys()) {
        const counts = table.tally.countsOf(id);
        expect(counts, `round ${round}, task ${id}`).toEqual(counted(dag, table.tasks, id));
      }
    }
  });

  it("lets settleRun decide exactly what it decides without one", () => {
    const next = random(2026);
    for (let round = 0; round < 400; round++) {
      const dag = randomDag(next);
      const table = randomTable(next, dag);
      const pending = Array.from({ length: Math.floor(next() * 4) }, () => randomChange(next, dag));
      const ids = [...dag.tasks.keys()];
      const only = next() < 0.3 ? undefined : ids.filter(() => next() < 0.5);
      const options = { now, only, pending };
      const tally = new UpstreamTally(dag, table);
      const withTally = settleRun(dag, table, { ...options, tally });
      expect(withTally, `round ${round}`).toEqual(settleRun(dag, table, options));
      // settleRun reads the tally and leaves it as it was.
      for (const id of ids) expect(tally.countsOf(id)).toEqual(counted(dag, table, id));
    }
  });

  // 50 upstream tasks: settleRun reads the tally for "join" (from 48 on), the ones before by lookup.
  const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`u${i}`, ["x"]]));
  const fanIn = makeDag({ x: [], ...wide, join: Object.keys(wide) });
  const allDone = Object.fromEntries(Object.keys(wide).map((id) => [id, "success" as const]));

  it("adds the pending changes to the tally's counts", () => {
    const table = instances(fanIn, { x: "success", ...allDone, u7: "running" });
    const ended = { ...table.u7!, state: "success" as const };
    const tally = new UpstreamTally(fanIn, table);
    const settle = { now, only: ["join"], pending: [ended], tally };
    expect(settleRun(fanIn, table, settle).ready).toEqual(["join"]);
    // Two changes of one task: the last one wins, as it does for a lookup.
    const first = { ...ended, state: "failed" as const };
    const twice = { ...settle, pending: [first, ended] };
    expect(settleRun(fanIn, table, twice).ready).toEqual(["join"]);
  });

  it("adds the skips and upstream_faileds of the same call, made before and after it reads", () => {
    // join1 reads the tally first (u0 and u49 marked before); join2 needs join1's mark, made after.
    const middle = Object.keys(wide).slice(1, 49);
    const twoJoins = makeDag({
      x: [],
      ...wide,
      join1: Object.keys(wide),
      join2: ["join1", ...middle],
    });
    const table = instances(twoJoins, { ...allDone, x: "running", u0: "none", u49: "none" });
    const failed = { ...table.x!, state: "failed" as const };
    const tally = new UpstreamTally(twoJoins, table);
    const settle = { now, only: ["u0", "u49"], pending: [failed], tally };
    expect(settleRun(twoJoins, table, settle).changed.map((ti) => ti.task_id)).toEqual([
      "u0",
      "u49",
      "join1",
      "join2",
    ]);
  });

  it("counts a missing task's upstream as unfinished, and knows no task outside the DAG", () => {
    const dag = makeDag({ a: [], b: [], c: ["a", "b"] });
    const { b: _gone, ...table } = instances(dag, { a: "success" });
    const tally = new UpstreamTally(dag, table);
    expect(tally.countsOf("c")).toMatchObject({ total: 2, success: 1, done: 1 });
    expect(tally.countsOf("zz")).toBeUndefined();
    tally.change("b", undefined, "failed" satisfies TaskState);
    expect(tally.countsOf("c")).toMatchObject({ total: 2, success: 1, failed: 1, done: 2 });
  });
});
