import { describe, expect, it } from "vitest";
import { downstreamClosure } from "../../../src/core/graph.js";
import type { TaskInstance } from "../../../src/core/run.js";
import { settleRun } from "../../../src/core/settle.js";
import { succeedTry, startTry } from "../../../src/core/transitions.js";
import { chainDag, instances, makeDag } from "./dag-fixture.js";

const now = new Date("2026-01-02T00:10:00.000Z");

// What a settlement says, in a compact form: "id: state (reason)" per change.
function summary(result: ReturnType<typeof settleRun>): {
  changed: string[];
  ready: string[];
  waitingForRetry: string[];
} {
  return {
    changed: result.changed.map((ti) => `${ti.task_id}: ${ti.state} (${ti.reason})`),
    ready: result.ready,
    waitingForRetry: result.waitingForRetry.map((w) => `${w.taskId} at ${w.at}`),
  };
}

//   extract -> transform -> load -> report
//   audit (independent)
const etl = makeDag({
  extract: [],
  transform: ["extract"],
  load: ["transform"],
  report: ["load"],
  audit: [],
});

describe("settleRun", () => {
  it("a new run: the roots are ready", () => {
    expect(summary(settleRun(etl, instances(etl), { now }))).toEqual({
      changed: [],
      ready: ["audit", "extract"],
      waitingForRetry: [],
    });
  });

  it("a failure cascades upstream_failed down the chain while the independent branch stays ready", () => {
    const tasks = instances(etl, { extract: "failed" });
    expect(summary(settleRun(etl, tasks, { now }))).toEqual({
      changed: [
        'transform: upstream_failed (upstream task "extract" failed)',
        'load: upstream_failed (upstream task "transform" could not run (upstream_failed))',
        'report: upstream_failed (upstream task "load" could not run (upstream_failed))',
      ],
      ready: ["audit"],
      waitingForRetry: [],
    });
  });

  it("with `only`, looks at those tasks and what their changes cascade to, nothing else", () => {
    const tasks = instances(etl, { extract: "failed" });
    const result = summary(settleRun(etl, tasks, { now, only: ["transform"] }));
    expect(result.changed.map((line) => line.split(":")[0])).toEqual([
      "transform",
      "load",
      "report",
    ]);
    expect(result.ready).toEqual([]);
  });

  it("with `only`, a task that can run is ready and its downstream is not visited", () => {
    const tasks = instances(etl, { extract: "success" });
    expect(summary(settleRun(etl, tasks, { now, only: ["transform", "ghost"] }))).toEqual({
      changed: [],
      ready: ["transform"],
      waitingForRetry: [],
    });
  });

  it("does not change its input", () => {
    const tasks = instances(etl, { extract: "failed" });
    const before = structuredClone(tasks);
    settleRun(etl, tasks, { now });
    expect(tasks).toEqual(before);
  });

  it("leaves running, queued and finished tasks alone", () => {
    const tasks = instances(etl, { extract: "success", transform: "running", audit: "success" });
    expect(summary(settleRun(etl, tasks, { now }))).toEqual({
      changed: [],
      ready: [],
      waitingForRetry: [],
    });
  });

  //   branch(skipped) -> chosen -> join(none_failed_min_one_success)
  //   other(success)  ----------^         cleanup(all_done) <- chosen
  const branching = makeDag({
    branch: [],
    other: [],
    chosen: ["branch"],
    join: { upstream: ["chosen", "other"], triggerRule: "none_failed_min_one_success" },
    cleanup: { upstream: ["chosen"], triggerRule: "all_done" },
  });

  it("a skip cascades through all_success and stops at a join that tolerates skips", () => {
    const tasks = instances(branching, { branch: "skipped", other: "success" });
    expect(summary(settleRun(branching, tasks, { now }))).toEqual({
      changed: ['chosen: skipped (upstream task "branch" was skipped)'],
      ready: ["cleanup", "join"],
      waitingForRetry: [],
    });
  });

  it.each<
    [string, Record<string, unknown>, Record<string, TaskInstance["state"]>, string[], string[]]
  >([
    [
      "one_success with all upstream failed",
      { triggerRule: "one_success" },
      { a: "failed", b: "upstream_failed" },
      ["c: upstream_failed (trigger rule one_success: no upstream task succeeded)"],
      [],
    ],
    [
      "one_success with all upstream skipped",
      { triggerRule: "one_success" },
      { a: "skipped", b: "skipped" },
      ["c: skipped (trigger rule one_success: every upstream task was skipped)"],
      [],
    ],
    [
      "one_success runs on the first success",
      { triggerRule: "one_success" },
      { a: "success", b: "running" },
      [],
      ["c"],
    ],
    [
      "all_failed with a success",
      { triggerRule: "all_failed" },
      { a: "success", b: "failed" },
      ['c: skipped (trigger rule all_failed: upstream task "a" did not fail)'],
      [],
    ],
    [
      "none_failed names failed and upstream_failed tasks",
      { triggerRule: "none_failed" },
      { a: "failed", b: "upstream_failed" },
      [
        'c: upstream_failed (trigger rule none_failed: upstream task "a" failed; upstream task "b" could not run (upstream_failed))',
      ],
      [],
    ],
    [
      "all_success names every failed task",
      {},
      { a: "failed", b: "failed" },
      ['c: upstream_failed (upstream tasks "a", "b" failed)'],
      [],
    ],
    [
      "none_skipped with a skip",
      { triggerRule: "none_skipped" },
      { a: "skipped", b: "success" },
      ['c: skipped (trigger rule none_skipped: upstream task "a" was skipped)'],
      [],
    ],
    [
      "all_done waits for the last upstream",
      { triggerRule: "all_done" },
      { a: "failed", b: "running" },
      [],
      [],
    ],
    [
      "always runs before upstream finishes",
      { triggerRule: "always" },
      { a: "none", b: "running" },
      [],
      ["a", "c"],
    ],
  ])("a join of a and b: %s", (_name, options, states, changed, ready) => {
    const join = makeDag({ a: [], b: [], c: { upstream: ["a", "b"], ...options } });
    const result = summary(settleRun(join, instances(join, states), { now }));
    expect(result.changed).toEqual(changed);
    expect(result.ready).toEqual(ready);
  });

  it.each([
    [
      "delay not over: waiting",
      "2026-01-02T00:10:00.001Z",
      [],
      ["extract at 2026-01-02T00:10:00.001Z"],
    ],
    ["delay over exactly now: ready", "2026-01-02T00:10:00.000Z", ["extract"], []],
    ["delay long over: ready", "2026-01-01T00:00:00.000Z", ["extract"], []],
  ])("up_for_retry, %s", (_name, nextTryAt, ready, waiting) => {
    const tasks = instances(etl, {
      extract: { state: "up_for_retry", try_number: 1, next_try_at: nextTryAt },
      audit: "success",
    });
    expect(summary(settleRun(etl, tasks, { now }))).toEqual({
      changed: [],
      ready,
      waitingForRetry: waiting,
    });
  });

  it("a task of the DAG missing from the run is ignored and holds its downstream back", () => {
    const { transform: _gone, ...tasks } = instances(etl, { extract: "success", audit: "success" });
    expect(summary(settleRun(etl, tasks, { now }))).toEqual({
      changed: [],
      ready: [],
      waitingForRetry: [],
    });
  });

  it("cascades upstream_failed down a 10,000-task chain in one call", () => {
    const chain = chainDag(10_000);
    const result = settleRun(chain, instances(chain, { t00000: "failed" }), {
      now,
      only: ["t00001"],
    });
    expect(result.changed).toHaveLength(9_999);
    expect(result.changed.at(-1)?.task_id).toBe("t09999");
  });

  // Its speed is measured by `npm run bench` (W4, W6), not here: this checks the result.
  it("runs a 10,000-task chain, settling after each task with only its downstream", () => {
    const chain = chainDag(10_000);
    const tasks = instances(chain);
    let ready = settleRun(chain, tasks, { now }).ready;
    let finished = 0;
    while (ready.length > 0) {
      const id = ready[0]!;
      tasks[id] = succeedTry(startTry(tasks[id]!, now, { pid: null, logPath: null }), now, {});
      finished++;
      ready = settleRun(chain, tasks, { now, only: chain.tasks.get(id)!.downstream }).ready;
    }
    expect(finished).toBe(10_000);
  });

  it("a held task (dependsOnPast) is never ready, nor waiting for a retry", () => {
    const tasks = instances(etl, {
      extract: "success",
      transform: { state: "up_for_retry", next_try_at: "2026-01-02T00:20:00.000Z" },
    });
    const held = new Set(["audit", "transform"]);
    expect(summary(settleRun(etl, tasks, { now, held }))).toEqual({
      changed: [],
      ready: [],
      waitingForRetry: [],
    });
  });

  it("a held task is still set upstream_failed by its trigger rule", () => {
    const tasks = instances(etl, { extract: "failed" });
    const held = new Set(["transform"]);
    expect(summary(settleRun(etl, tasks, { now, held })).changed[0]).toBe(
      'transform: upstream_failed (upstream task "extract" failed)',
    );
  });

  it("a failure's cascade reaches exactly its downstream closure", () => {
    const tasks = instances(etl, { extract: "failed" });
    const only = etl.tasks.get("extract")!.downstream;
    const changed = settleRun(etl, tasks, { now, only }).changed.map((ti) => ti.task_id);
    expect(changed).toEqual([...downstreamClosure(etl, ["extract"])]);
  });
});
