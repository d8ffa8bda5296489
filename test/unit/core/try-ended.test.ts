import { describe, expect, it } from "vitest";
import type { Dag } from "../../../src/core/dag.js";
import type { RunHalt } from "../../../src/core/run-halt.js";
import { endTry, type TryOutcome } from "../../../src/core/try-ended.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf, runningTry } from "./run-event-fixture.js";

const started = "2026-01-01T00:00:00.000Z";
const at = new Date("2026-01-01T00:01:00.000Z");
const ok: TryOutcome = { status: "success" };
const exit1: TryOutcome = { status: "failed", error: "exit code 1", exitCode: 1, retryable: true };

// The event of `taskId`'s try ending with `outcome`, the other tasks as `states` say.
function end(
  dag: Dag,
  taskId: string,
  outcome: TryOutcome,
  states: Parameters<typeof runOf>[1] = {},
  more: { halt?: RunHalt; held?: ReadonlySet<string> } = {},
) {
  const run = runOf(dag, { ...states, [taskId]: runningTry(started) });
  const ended = endTry(dag, run.tasks, {
    taskId,
    outcome,
    at,
    logicalDate: run.logical_date,
    halt: more.halt,
    ...(more.held && { held: more.held }),
  });
  return { ...describeEvent(ended), failFast: ended.failFast, instance: ended.instance };
}

//   extract -> transform -> load;   audit (independent)
const etl = makeDag({ extract: [], transform: ["extract"], load: ["transform"], audit: [] });

describe("endTry: a plain try", () => {
  it.each<[string, TryOutcome, { tasks: string[]; ready: string[] }]>([
    [
      "success: the downstream task is ready",
      ok,
      { tasks: ["extract: success"], ready: ["transform"] },
    ],
    [
      "skipped: the skip cascades through all_success",
      { status: "skipped", reason: "nothing to do" },
      {
        tasks: [
          "extract: skipped (nothing to do)",
          'transform: skipped (upstream task "extract" was skipped)',
          'load: skipped (upstream task "transform" was skipped)',
        ],
        ready: [],
      },
    ],
    [
      "failed without tries left: the downstream tasks are upstream_failed",
      exit1,
      {
        tasks: [
          "extract: failed (exit code 1)",
          'transform: upstream_failed (upstream task "extract" failed)',
          'load: upstream_failed (upstream task "transform" could not run (upstream_failed))',
        ],
        ready: [],
      },
    ],
  ])("%s", (_name, outcome, expected) => {
    const result = end(etl, "extract", outcome, { audit: "running" });
    expect({ tasks: result.tasks, ready: result.ready }).toEqual(expected);
    expect(result.retries).toEqual([]);
    expect(result.failFast).toBe(false);
  });

  it("keeps the try's result and exit code, and leaves the table it was given alone", () => {
    const run = runOf(etl, { extract: runningTry(started) });
    const before = structuredClone(run.tasks);
    const ended = endTry(etl, run.tasks, {
      taskId: "extract",
      outcome: { status: "success", result: { rows: 3 }, exitCode: 0 },
      at,
      logicalDate: run.logical_date,
      halt: undefined,
    });
    expect(ended.instance).toMatchObject({
      state: "success",
      result: { rows: 3 },
      exit_code: 0,
      end: "2026-01-01T00:01:00.000Z",
      duration_ms: 60_000,
      pid: null,
    });
    expect(ended.tasks[0]).toBe(ended.instance);
    expect(run.tasks).toEqual(before);
  });

  it("a task dependsOnPast holds is not ready, its trigger rule met or not", () => {
    expect(end(etl, "extract", ok, {}, { held: new Set(["transform"]) }).ready).toEqual([]);
  });
});

describe("endTry: retries", () => {
  const retrying = (options: Record<string, unknown>) =>
    makeDag({ extract: { retries: 2, ...options }, load: ["extract"] });

  it.each<[string, Dag, TryOutcome, { tasks: string[]; ready: string[]; retries: string[] }]>([
    [
      "retryable with tries left: up_for_retry, its retry at end + retryDelay",
      retrying({ retryDelay: "5m" }),
      exit1,
      {
        tasks: ["extract: up_for_retry (exit code 1)"],
        ready: [],
        retries: ["extract at 2026-01-01T00:06:00.000Z"],
      },
    ],
    [
      "a retry delay of zero: ready again at once",
      retrying({ retryDelay: 0 }),
      exit1,
      { tasks: ["extract: up_for_retry (exit code 1)"], ready: ["extract"], retries: [] },
    ],
    [
      "not retryable (the try asked to fail): failed, tries left or not",
      retrying({ retryDelay: "5m" }),
      { status: "failed", error: "Error: bad input", retryable: false },
      {
        tasks: [
          "extract: failed (Error: bad input)",
          'load: upstream_failed (upstream task "extract" failed)',
        ],
        ready: [],
        retries: [],
      },
    ],
  ])("%s", (_name, dag, outcome, expected) => {
    const { tasks, ready, retries } = end(dag, "extract", outcome);
    expect({ tasks, ready, retries }).toEqual(expected);
  });

  it("the last try failing is failed", () => {
    const dag = retrying({ retryDelay: "5m" });
    const run = runOf(dag, { extract: runningTry(started, { try_number: 3, max_tries: 3 }) });
    const ended = endTry(dag, run.tasks, {
      taskId: "extract",
      outcome: exit1,
      at,
      logicalDate: run.logical_date,
      halt: undefined,
    });
    expect(describeEvent(ended).tasks).toEqual([
      "extract: failed (exit code 1)",
      'load: upstream_failed (upstream task "extract" failed)',
    ]);
  });
});

describe("endTry: failFast", () => {
  //   a -> b;  c (not started);  d (running)
  const dag = makeDag({ a: [], b: ["a"], c: [], d: [] }, { failFast: true });

  it("a failure settles its downstream, skips every task not started and halts the run", () => {
    const result = end(dag, "a", exit1, { d: "running" });
    expect(result.tasks).toEqual([
      "a: failed (exit code 1)",
      'b: upstream_failed (upstream task "a" failed)',
      'c: skipped (fail_fast: task "a" failed)',
    ]);
    expect(result.ready).toEqual([]);
    expect(result.failFast).toBe(true);
  });

  it("a success goes on as usual", () => {
    const result = end(dag, "a", ok, { d: "running" });
    expect([result.tasks, result.ready, result.failFast]).toEqual([["a: success"], ["b"], false]);
  });

  it("without failFast, a failure halts nothing: the tasks not started are left alone", () => {
    const plain = makeDag({ a: [], b: ["a"], c: [], d: [] });
    const result = end(plain, "a", exit1, { d: "running" });
    expect([result.tasks, result.failFast]).toEqual([
      ["a: failed (exit code 1)", 'b: upstream_failed (upstream task "a" failed)'],
      false,
    ]);
  });
});

describe("endTry: while the run halts, the try is recorded and nothing follows", () => {
  const dag = makeDag({ a: { retries: 2, retryDelay: 0 }, b: ["a"] });
  it.each<[string, RunHalt, TryOutcome, string]>([
    [
      "interrupted: a try failing back to none",
      { kind: "interrupted" },
      exit1,
      "a: none (interrupted)",
    ],
    ["interrupted: a success is kept", { kind: "interrupted" }, ok, "a: success"],
    [
      "draining: a failure is recorded as usual",
      { kind: "draining" },
      exit1,
      "a: up_for_retry (exit code 1)",
    ],
    [
      "fail_fast: failed without retry",
      { kind: "fail_fast", failed: "x" },
      exit1,
      'a: failed (stopped: fail_fast after task "x" failed)',
    ],
    ["fail_fast: a success is kept", { kind: "fail_fast", failed: "x" }, ok, "a: success"],
  ])("%s", (_name, halt, outcome, expected) => {
    const result = end(dag, "a", outcome, {}, { halt });
    expect(result).toMatchObject({ tasks: [expected], ready: [], retries: [], failFast: false });
  });

  it("an interrupted try gets its try back: max_tries = tries so far + retries + 1", () => {
    const { instance } = end(dag, "a", exit1, {}, { halt: { kind: "interrupted" } });
    expect([instance.try_number, instance.max_tries]).toEqual([1, 4]);
  });
});

describe("endTry: branching and short-circuit", () => {
  //   pick (branch) -> left -> after_left;  pick -> right -> after_right;  pick -> both (none_failed_min_one_success)
  const dag = makeDag({
    pick: { role: "branch" },
    left: ["pick"],
    right: ["pick"],
    after_left: ["left"],
    after_right: ["right"],
  });

  it.each<[string, unknown, string[], string[]]>([
    [
      "one chosen: the other direct downstream task is skipped, and the skip cascades",
      "left",
      [
        "pick: success",
        'right: skipped (branch "pick" chose "left")',
        'after_right: skipped (upstream task "right" was skipped)',
      ],
      ["left"],
    ],
    ["a list: both run", ["left", "right"], ["pick: success"], ["left", "right"]],
    [
      "null: none is chosen",
      null,
      [
        "pick: success",
        'left: skipped (branch "pick" chose no task)',
        'right: skipped (branch "pick" chose no task)',
        'after_left: skipped (upstream task "left" was skipped)',
        'after_right: skipped (upstream task "right" was skipped)',
      ],
      [],
    ],
  ])("%s", (_name, result, tasks, ready) => {
    const outcome = { status: "success", result } as TryOutcome;
    expect(end(dag, "pick", outcome)).toMatchObject({ tasks, ready });
  });

  it("a choice that is not a direct downstream task fails the branch, without retry", () => {
    const retrying = makeDag({ pick: { role: "branch", retries: 3 }, left: ["pick"] });
    const result = end(retrying, "pick", { status: "success", result: "after_left" });
    expect(result.tasks).toEqual([
      'pick: failed (branch returned "after_left", not one of its direct downstream tasks ("left"))',
      'left: upstream_failed (upstream task "pick" failed)',
    ]);
  });

  //   check (short_circuit) -> load -> report (all_done);  other -> report
  const gated = makeDag({
    check: { role: "short_circuit" },
    load: ["check"],
    other: [],
    report: { upstream: ["load", "other"], triggerRule: "all_done" },
  });

  it.each<[string, unknown, string[], string[]]>([
    ["a truthy result: the downstream task runs", 1, ["check: success"], ["load"]],
    [
      "a falsy result: every task downstream is skipped, whatever its trigger rule",
      false,
      [
        "check: success",
        'load: skipped (short-circuit "check" returned false)',
        'report: skipped (short-circuit "check" returned false)',
      ],
      [],
    ],
  ])("%s", (_name, result, tasks, ready) => {
    const outcome = { status: "success", result } as TryOutcome;
    expect(end(gated, "check", outcome, { other: "running" })).toMatchObject({ tasks, ready });
  });
});
