import { describe, expect, it } from "vitest";
import {
  chainSuccessor,
  MAX_JOIN,
  MAX_LOOKED_AT,
  mayLead,
} from "../../../src/core/chain-successor.js";
import type { Dag, TaskKind, TriggerRule } from "../../../src/core/dag.js";
import type { TaskInstance } from "../../../src/core/run.js";
import type { TaskState } from "../../../src/core/states.js";
import { instances, makeDag } from "./dag-fixture.js";
import { runningTry } from "./run-event-fixture.js";

const now = new Date("2026-01-01T00:10:00.000Z");
const started = "2026-01-01T00:00:00.000Z";
const running = runningTry(started);

function successorOf(
  dag: Dag,
  states: Record<string, TaskState | Partial<TaskInstance>>,
  leader: string,
  options: { kind?: TaskKind; held?: string[] } = {},
): string | undefined {
  const { kind = "bash", held } = options;
  return chainSuccessor(dag, instances(dag, states), leader, {
    kind,
    now,
    ...(held && { held: new Set(held) }),
  });
}

//   a -> b
const chain = makeDag({ a: [], b: ["a"] });

describe("chainSuccessor: a chain", () => {
  it("is the next task while the one before is running", () => {
    expect(successorOf(chain, { a: running }, "a")).toBe("b");
  });

  it.each<TaskState>(["none", "queued", "success", "failed", "up_for_retry", "skipped"])(
    "is none for a leader %s (not running)",
    (state) => {
      expect(successorOf(chain, { a: state }, "a")).toBeUndefined();
    },
  );

  it("is none for a task with no downstream task, or not in the DAG", () => {
    expect(successorOf(chain, { a: "success", b: running }, "b")).toBeUndefined();
    expect(successorOf(chain, { a: running }, "nope")).toBeUndefined();
  });

  it("is none for a leader without a task instance in the table", () => {
    const tasks = instances(chain, { a: running });
    delete tasks.a;
    expect(chainSuccessor(chain, tasks, "a", { kind: "bash", now })).toBeUndefined();
  });

  it("skips a downstream task of another kind", () => {
    //   a -> f (function)
    const dag = makeDag({ a: [], f: { upstream: ["a"], role: "plain" } });
    expect(successorOf(dag, { a: running }, "a")).toBeUndefined();
    expect(successorOf(dag, { a: running }, "a", { kind: "function" })).toBe("f");
  });

  it.each<TaskState>([
    "queued",
    "running",
    "success",
    "failed",
    "up_for_retry",
    "up_for_reschedule",
    "skipped",
    "upstream_failed",
  ])("skips a downstream task in state %s", (state) => {
    expect(successorOf(chain, { a: running, b: state }, "a")).toBeUndefined();
  });

  it("skips a downstream task up_for_retry even once its retry is due", () => {
    const b = { state: "up_for_retry" as const, try_number: 1, next_try_at: started };
    expect(successorOf(chain, { a: running, b }, "a")).toBeUndefined();
  });

  it("skips a downstream task held by dependsOnPast", () => {
    const dag = makeDag({ a: [], b: { upstream: ["a"], dependsOnPast: true } });
    expect(successorOf(dag, { a: running }, "a", { held: ["b"] })).toBeUndefined();
    expect(successorOf(dag, { a: running }, "a", { held: ["other"] })).toBe("b");
    expect(successorOf(dag, { a: running }, "a")).toBe("b");
  });
});

describe("chainSuccessor: a fan-in", () => {
  //   a, x -> c
  const fanIn = makeDag({ a: [], x: [], c: ["a", "x"] });

  it.each<TaskState>(["none", "queued", "up_for_retry", "failed", "skipped", "upstream_failed"])(
    "is none while another upstream task is %s",
    (state) => {
      expect(successorOf(fanIn, { a: running, x: state }, "a")).toBeUndefined();
    },
  );

  it("is none while another upstream task is running", () => {
    expect(successorOf(fanIn, { a: running, x: running }, "a")).toBeUndefined();
    expect(successorOf(fanIn, { a: running, x: running }, "x")).toBeUndefined();
  });

  it("is the task once every other upstream task succeeded", () => {
    expect(successorOf(fanIn, { a: running, x: "success" }, "a")).toBe("c");
    expect(successorOf(fanIn, { a: "success", x: running }, "x")).toBe("c");
  });
});

describe("chainSuccessor: trigger rules", () => {
  //   a, x -> c (triggerRule)
  const ruled = (triggerRule: TriggerRule): Dag =>
    makeDag({ a: [], x: [], c: { upstream: ["a", "x"], triggerRule } });

  it.each<TriggerRule>([
    "all_success",
    "all_done",
    "none_failed",
    "none_failed_min_one_success",
    "none_skipped",
  ])("%s: the task, the others having succeeded", (rule) => {
    expect(successorOf(ruled(rule), { a: running, x: "success" }, "a")).toBe("c");
  });

  it.each<TriggerRule>(["one_success", "one_done", "always"])(
    "%s, another upstream task done: none, the task is ready already (it waits for a slot)",
    (rule) => {
      expect(successorOf(ruled(rule), { a: running, x: "success" }, "a")).toBeUndefined();
    },
  );

  it.each<TriggerRule>(["one_success", "one_done"])("%s in a chain: the task", (triggerRule) => {
    const dag = makeDag({ a: [], b: { upstream: ["a"], triggerRule } });
    expect(successorOf(dag, { a: running }, "a")).toBe("b");
  });

  it.each<TriggerRule>(["all_failed", "one_failed", "all_skipped"])(
    "%s: none, a success does not make the task ready",
    (rule) => {
      expect(successorOf(ruled(rule), { a: running, x: "success" }, "a")).toBeUndefined();
    },
  );

  it.each<TriggerRule>(["all_failed", "one_failed"])("%s in a chain: none", (triggerRule) => {
    const dag = makeDag({ a: [], b: { upstream: ["a"], triggerRule } });
    expect(successorOf(dag, { a: running }, "a")).toBeUndefined();
  });

  it.each<[TriggerRule, TaskState | Partial<TaskInstance>]>([
    ["all_done", "failed"],
    ["all_done", "skipped"],
    ["none_failed", "skipped"],
    ["none_skipped", "failed"],
    ["one_success", running],
    ["one_done", "none"],
    ["always", "upstream_failed"],
  ])("%s, another upstream task %s: none, the others must have succeeded", (rule, x) => {
    expect(successorOf(ruled(rule), { a: running, x }, "a")).toBeUndefined();
  });

  it("all_done and none_failed in a chain: the task", () => {
    for (const triggerRule of ["all_done", "none_failed"] as const) {
      const dag = makeDag({ a: [], b: { upstream: ["a"], triggerRule } });
      expect(successorOf(dag, { a: running }, "a")).toBe("b");
    }
  });
});

describe("chainSuccessor: leaders whose end decides more than their own state", () => {
  it("a branch: none", () => {
    const dag = makeDag({ pick: { role: "branch" }, b: ["pick"] });
    expect(successorOf(dag, { pick: running }, "pick")).toBeUndefined();
  });

  it("a short-circuit: none", () => {
    const dag = makeDag({ check: { role: "short_circuit" }, b: ["check"] });
    expect(successorOf(dag, { check: running }, "check")).toBeUndefined();
  });

  it("a sensor: none", () => {
    const dag = makeDag({ wait: { role: "sensor", pokeInterval: 5 }, b: ["wait"] });
    expect(successorOf(dag, { wait: running }, "wait")).toBeUndefined();
  });

  it("a plain function task: its bash successor", () => {
    const dag = makeDag({ f: { role: "plain" }, b: ["f"] });
    expect(successorOf(dag, { f: running }, "f")).toBe("b");
  });

  it("skips a downstream branch, short-circuit or sensor", () => {
    const dag = makeDag({
      a: [],
      b: { upstream: ["a"], role: "branch" },
      c: { upstream: ["a"], role: "short_circuit" },
      d: { upstream: ["a"], role: "sensor", pokeInterval: 5 },
    });
    expect(successorOf(dag, { a: running }, "a", { kind: "function" })).toBeUndefined();
  });
});

describe("chainSuccessor: several downstream tasks", () => {
  //   a -> d, c, b; b, c and d sorted by id whatever the order they were declared in
  const wide = makeDag({ a: [], d: ["a"], c: ["a"], b: ["a"] });

  it("is the first eligible one in sorted order", () => {
    expect(successorOf(wide, { a: running }, "a")).toBe("b");
  });

  it("passes over the ones that are not eligible", () => {
    expect(successorOf(wide, { a: running, b: "skipped" }, "a")).toBe("c");
    expect(successorOf(wide, { a: running }, "a", { held: ["b", "c"] })).toBe("d");
    expect(
      successorOf(wide, { a: running, b: "queued", c: "running", d: "success" }, "a"),
    ).toBeUndefined();
  });

  it("passes over one whose trigger rule a success does not meet", () => {
    //   a -> b (one_failed), c
    const dag = makeDag({ a: [], b: { upstream: ["a"], triggerRule: "one_failed" }, c: ["a"] });
    expect(successorOf(dag, { a: running }, "a")).toBe("c");
  });

  it("passes over a fan-in still waiting for another upstream task", () => {
    //   a -> b (with x), c
    const dag = makeDag({ a: [], x: [], b: ["a", "x"], c: ["a"] });
    expect(successorOf(dag, { a: running, x: running }, "a")).toBe("c");
    expect(successorOf(dag, { a: running, x: "success" }, "a")).toBe("b");
  });
});

describe("chainSuccessor: bounds", () => {
  // a and `others` -> j: a join of 1 + others upstream tasks, the others done.
  const join = (
    others: number,
  ): { dag: Dag; states: Record<string, TaskState | Partial<TaskInstance>> } => {
    const ids = Array.from({ length: others }, (_, i) => `u${i}`);
    const defs: Record<string, string[]> = { a: [], j: ["a", ...ids] };
    for (const id of ids) defs[id] = [];
    const states: Record<string, TaskState | Partial<TaskInstance>> = { a: running };
    for (const id of ids) states[id] = "success";
    return { dag: makeDag(defs), states };
  };

  it(`a join of ${MAX_JOIN} upstream tasks is followed, one of ${MAX_JOIN + 1} is not`, () => {
    const small = join(MAX_JOIN - 1);
    expect(successorOf(small.dag, small.states, "a")).toBe("j");
    const big = join(MAX_JOIN);
    expect(successorOf(big.dag, big.states, "a")).toBeUndefined();
  });

  it(`looks at the first ${MAX_LOOKED_AT} downstream tasks only`, () => {
    // a -> d00..d64, all function tasks (the fixture's tasks with a role) but the last, bash.
    const defs: Record<string, { upstream: string[]; role: "plain" } | string[]> = { a: [] };
    for (let i = 0; i <= MAX_LOOKED_AT; i++) {
      const id = `d${String(i).padStart(2, "0")}`;
      defs[id] = i === MAX_LOOKED_AT ? ["a"] : { upstream: ["a"], role: "plain" };
    }
    const dag = makeDag(defs);
    expect(successorOf(dag, { a: running }, "a")).toBeUndefined();
    expect(successorOf(dag, { a: running }, "a", { kind: "function" })).toBe("d00");
  });
});

describe("mayLead", () => {
  it("a task with a plain bash downstream task of a small join may lead; others never", () => {
    const dag = makeDag({
      a: [],
      b: ["a"],
      alone: [],
      f: [],
      g: { upstream: ["f"], role: "plain" }, // a function task (the fixture's tasks with a role)
    });
    expect(mayLead(dag, "a", "bash")).toBe(true);
    expect(mayLead(dag, "b", "bash")).toBe(false); // no downstream task
    expect(mayLead(dag, "alone", "bash")).toBe(false);
    expect(mayLead(dag, "f", "bash")).toBe(false);
    expect(mayLead(dag, "f", "function")).toBe(true);
  });

  it(`not into a join of more than ${MAX_JOIN} upstream tasks`, () => {
    const ids = Array.from({ length: MAX_JOIN + 1 }, (_, i) => `u${i}`);
    const defs: Record<string, string[]> = { j: ids };
    for (const id of ids) defs[id] = [];
    expect(mayLead(makeDag(defs), "u0", "bash")).toBe(false);
    delete defs.u8;
    defs.j = ids.slice(0, MAX_JOIN);
    expect(mayLead(makeDag(defs), "u0", "bash")).toBe(true);
  });
});
