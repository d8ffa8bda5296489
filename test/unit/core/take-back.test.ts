import { describe, expect, it, vi } from "vitest";
import type { Dag } from "../../../src/core/dag.js";
import { failLostTries, failLostTry, recoverLostRun } from "../../../src/core/lost-tries.js";
import type { TaskInstance } from "../../../src/core/run.js";
import type { RunHalt } from "../../../src/core/run-halt.js";
import type { TaskState } from "../../../src/core/states.js";
import { takeBackTry } from "../../../src/core/take-back.js";
import { queueTry } from "../../../src/core/transitions.js";
import { UpstreamTally } from "../../../src/core/upstream-tally.js";
import { instances, makeDag, type TaskDef } from "./dag-fixture.js";
import { describeEvent, runOf, runningTry } from "./run-event-fixture.js";

const now = new Date("2026-01-01T00:10:00.000Z");
const started = "2026-01-01T00:00:00.000Z";
const owner = { pid: 7, hostname: "box", heartbeat: started };

//   lead -> next -> after; other
const dag = makeDag({ lead: [], next: ["lead"], after: ["next"], other: [] });

/** `next` queued to start after `lead` (a follower), from its instance `before`. */
function followed(
  states: Record<string, TaskState | Partial<TaskInstance>>,
  on: Dag = dag,
): { tasks: Record<string, TaskInstance>; before: TaskInstance } {
  const before = instances(on, states).next!;
  const queued = queueTry(before, now, { logPath: "next/1.log" });
  return { tasks: instances(on, { ...states, next: queued }), before };
}

function takeBack(
  states: Record<string, TaskState | Partial<TaskInstance>>,
  halt?: RunHalt,
): ReturnType<typeof describeEvent> & { first: TaskInstance | undefined; before: TaskInstance } {
  const { tasks, before } = followed(states);
  const event = takeBackTry(dag, tasks, before, { now, halt });
  expect(event.run).toBeNull();
  return { ...describeEvent(event), first: event.tasks[0], before };
}

describe("takeBackTry: a follower that never started, the run going on", () => {
  it("goes back to its instance before, first", () => {
    const { first, before } = takeBack({ lead: "failed" });
    expect(first).toBe(before);
    expect(first).toMatchObject({ state: "none", try_number: 0, log_path: null });
  });

  it("its leader failed: upstream_failed, and its downstream tasks too", () => {
    expect(takeBack({ lead: "failed" })).toMatchObject({
      tasks: [
        "next: none",
        'next: upstream_failed (upstream task "lead" failed)',
        'after: upstream_failed (upstream task "next" could not run (upstream_failed))',
      ],
      ready: [],
      retries: [],
    });
  });

  it("its leader skipped: skipped", () => {
    expect(takeBack({ lead: "skipped" })).toMatchObject({
      tasks: [
        "next: none",
        'next: skipped (upstream task "lead" was skipped)',
        'after: skipped (upstream task "next" was skipped)',
      ],
      ready: [],
    });
  });

  it.each<[string, TaskState | Partial<TaskInstance>]>([
    ["running", runningTry(started)],
    ["up for retry", { state: "up_for_retry", try_number: 1, next_try_at: started }],
  ])("its leader %s: back to none only, nothing ready", (_name, lead) => {
    expect(takeBack({ lead })).toMatchObject({ tasks: ["next: none"], ready: [], retries: [] });
  });

  it("its leader succeeded (the follower was cancelled for another reason): ready", () => {
    expect(takeBack({ lead: "success" })).toMatchObject({
      tasks: ["next: none"],
      ready: ["next"],
      retries: [],
    });
  });

  it("held by dependsOnPast: not ready", () => {
    const { tasks, before } = followed({ lead: "success" });
    const held = new Set(["next"]);
    const event = takeBackTry(dag, tasks, before, { now, halt: undefined, held });
    expect(describeEvent(event)).toEqual({ tasks: ["next: none"], ready: [], retries: [] });
  });

  it("with a tally: a wide downstream task reads its counts there, the changes on top", () => {
    // lead -> next -> wide, and u00..u49 -> wide: wide has 51 upstream tasks (tallied).
    const ups = Array.from({ length: 50 }, (_, i) => `u${String(i).padStart(2, "0")}`);
    const defs: Record<string, TaskDef> = { lead: [], next: ["lead"], wide: ["next", ...ups] };
    for (const id of ups) defs[id] = [];
    const wide = makeDag(defs);
    const succeeded = Object.fromEntries(ups.map((id) => [id, "success" as const]));
    const { tasks, before } = followed({ ...succeeded, lead: "failed" }, wide);
    const tally = new UpstreamTally(wide, tasks);
    const countsOf = vi.spyOn(tally, "countsOf");
    const event = takeBackTry(wide, tasks, before, { now, halt: undefined, tally });
    expect(countsOf).toHaveBeenCalledWith("wide", expect.anything());
    expect(describeEvent(event).tasks).toEqual([
      "next: none",
      'next: upstream_failed (upstream task "lead" failed)',
      'wide: upstream_failed (upstream task "next" could not run (upstream_failed))',
    ]);
  });
});

describe("takeBackTry: the run halts", () => {
  it.each<RunHalt>([{ kind: "interrupted" }, { kind: "draining" }])(
    "$kind: back to before only, left to run when the run resumes",
    (halt) => {
      for (const lead of ["failed", "success", "running"] as const) {
        const { tasks, first, before, ready, retries } = takeBack({ lead }, halt);
        expect(tasks).toEqual(["next: none"]);
        expect(first).toBe(before);
        expect(ready).toEqual([]);
        expect(retries).toEqual([]);
      }
    },
  );

  it("fail_fast, its leader the failed task: upstream_failed by the trigger rules, the rest skipped", () => {
    const halt: RunHalt = { kind: "fail_fast", failed: "lead" };
    const { tasks, first, before, ready } = takeBack({ lead: "failed" }, halt);
    expect(first).toBe(before);
    expect(tasks).toEqual([
      "next: none",
      'next: upstream_failed (upstream task "lead" failed)',
      'after: upstream_failed (upstream task "next" could not run (upstream_failed))',
      'other: skipped (fail_fast: task "lead" failed)',
    ]);
    expect(ready).toEqual([]);
  });

  it("fail_fast, another task failed and its leader succeeded: skipped, not ready", () => {
    const halt: RunHalt = { kind: "fail_fast", failed: "other" };
    const { tasks, ready, retries } = takeBack({ lead: "success", other: "failed" }, halt);
    expect(tasks).toEqual([
      "next: none",
      'next: skipped (fail_fast: task "other" failed)',
      'after: skipped (fail_fast: task "other" failed)',
    ]);
    expect(ready).toEqual([]);
    expect(retries).toEqual([]);
  });

  it("fail_fast, its leader still running (being stopped): skipped", () => {
    const halt: RunHalt = { kind: "fail_fast", failed: "other" };
    const { tasks } = takeBack({ lead: runningTry(started), other: "failed" }, halt);
    expect(tasks).toEqual([
      "next: none",
      'next: skipped (fail_fast: task "other" failed)',
      'after: skipped (fail_fast: task "other" failed)',
    ]);
  });
});

describe("lost tries of a follower", () => {
  const queuedFollower = () => queueTry(instances(dag).next!, now, { logPath: "next/1.log" });
  const lostReason = "process lost: flow process 7 on box ended while the try was queued";

  it("failLostTry: a queued try without job id goes back to none, its retries kept", () => {
    const spec = dag.tasks.get("next")!;
    const instance = queuedFollower();
    const lost = failLostTry("test", started, spec, instance, now, "flow process 7 on box");
    // It may have started as flow died: the next try has a number of its own.
    expect(lost).toMatchObject({ state: "none", try_number: 1, max_tries: 2, reason: lostReason });
    expect(lost.interrupted_tries).toBe(1);
  });

  it("failLostTries: a follower goes back to none; a queue-held try is left; a running try fails", () => {
    const run = runOf(
      dag,
      {
        lead: runningTry(started),
        next: queuedFollower(),
        other: { state: "queued", try_number: 1, job_id: "j1", queued_at: started },
      },
      { state: "running", owner },
    );
    const lost = failLostTries(dag, run, now, "flow process 7 on box");
    expect(lost.map((ti) => `${ti.task_id}: ${ti.state} (${ti.reason})`)).toEqual([
      "lead: failed (process lost: flow process 7 on box ended while the try was running)",
      `next: none (${lostReason})`,
    ]);
    expect(lost[1]).toMatchObject({ try_number: 1, interrupted_tries: 1 });
  });

  it("a queue-held running try is left too", () => {
    const run = runOf(
      dag,
      { other: runningTry(started, { job_id: "j2", hostname: "w1" }) },
      { state: "running", owner },
    );
    expect(failLostTries(dag, run, now, "x")).toEqual([]);
  });

  it("recoverLostRun: a follower of a success is ready when the run resumes", () => {
    const run = runOf(
      dag,
      { lead: "success", next: queuedFollower() },
      { state: "running", owner },
    );
    const event = recoverLostRun(dag, run, now);
    expect(describeEvent(event)).toMatchObject({
      tasks: [`next: none (${lostReason})`],
      ready: ["next", "other"],
    });
    expect(event.run?.state).toBe("queued");
  });

  it("recoverLostRun: a follower of a lost try is decided again by the trigger rules", () => {
    const run = runOf(
      dag,
      { lead: runningTry(started), next: queuedFollower(), other: "success" },
      { state: "running", owner },
    );
    expect(describeEvent(recoverLostRun(dag, run, now)).tasks).toEqual([
      "lead: failed (process lost: flow process 7 on box ended while the try was running)",
      `next: none (${lostReason})`,
      'next: upstream_failed (upstream task "lead" failed)',
      'after: upstream_failed (upstream task "next" could not run (upstream_failed))',
    ]);
  });
});
