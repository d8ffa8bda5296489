import { describe, expect, it } from "vitest";
import { buildDag, formatIssue } from "../../../src/core/build-dag.js";
import { beginRun } from "../../../src/core/begin-run.js";
import { recoverLostRun } from "../../../src/core/lost-tries.js";
import { clearTaskInstance } from "../../../src/core/clear.js";
import { decideRunOutcome } from "../../../src/core/run-outcome.js";
import {
  decideSensorWait,
  DEFAULT_SENSOR_POLICY,
  pokeDelayMs,
  resolveSensorOptions,
  type SensorPolicy,
} from "../../../src/core/sensor-policy.js";
import { settleRun } from "../../../src/core/settle.js";
import { nextTryNumber, startTry } from "../../../src/core/transitions.js";
import { endTry, type TryOutcome } from "../../../src/core/try-ended.js";
import { makeDag } from "./dag-fixture.js";
import { describeEvent, runOf, runningTry } from "./run-event-fixture.js";

const policy = (patch: Partial<SensorPolicy> = {}): SensorPolicy => ({
  ...DEFAULT_SENSOR_POLICY,
  pokeIntervalMs: 1_000,
  timeoutMs: 10_000,
  ...patch,
});

describe("resolveSensorOptions", () => {
  it("Airflow's defaults: a poke a minute for 7 days, poke mode", () => {
    expect(resolveSensorOptions({})).toEqual({
      sensor: {
        pokeIntervalMs: 60_000,
        timeoutMs: 604_800_000,
        mode: "poke",
        softFail: false,
        exponentialBackoff: false,
        maxWaitMs: undefined,
      },
      taskOptions: {},
      problems: [],
    });
  });

  it("takes a sensor's own options out, executionTimeout becoming the task's timeout", () => {
    expect(
      resolveSensorOptions({
        pokeInterval: "200ms",
        timeout: 30,
        mode: "reschedule",
        softFail: true,
        exponentialBackoff: true,
        maxWait: "5s",
        executionTimeout: "1m",
        retries: 2,
      }),
    ).toEqual({
      sensor: {
        pokeIntervalMs: 200,
        timeoutMs: 30_000,
        mode: "reschedule",
        softFail: true,
        exponentialBackoff: true,
        maxWaitMs: 5_000,
      },
      taskOptions: { timeout: "1m", retries: 2 },
      problems: [],
    });
  });

  it.each([
    [{ pokeInterval: 0 }, "pokeInterval must be a duration greater than zero"],
    [{ pokeInterval: "soon" }, "pokeInterval must be a duration greater than zero"],
    [{ timeout: -1 }, "timeout must be a duration greater than zero"],
    [{ mode: "sleep" }, 'mode must be "poke" or "reschedule", got "sleep"'],
    [{ softFail: "yes" }, 'softFail must be true or false, got "yes"'],
    [{ exponentialBackoff: 1 }, "exponentialBackoff must be true or false, got 1"],
  ])("%j: %s", (options, problem) => {
    const { problems } = resolveSensorOptions(options);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });
});

describe("pokeDelayMs", () => {
  it.each([
    ["fixed interval", policy(), [1, 2, 5], [1_000, 1_000, 1_000]],
    [
      "exponential backoff doubles",
      policy({ exponentialBackoff: true }),
      [1, 2, 3, 4],
      [1_000, 2_000, 4_000, 8_000],
    ],
    [
      "capped by maxWait",
      policy({ exponentialBackoff: true, maxWaitMs: 3_000 }),
      [1, 2, 3, 9],
      [1_000, 2_000, 3_000, 3_000],
    ],
    [
      "no overflow after many pokes",
      policy({ exponentialBackoff: true, maxWaitMs: 5_000 }),
      [5_000],
      [5_000],
    ],
  ])("%s", (_name, sensor, pokes, delays) => {
    expect(pokes.map((n) => pokeDelayMs(sensor, n))).toEqual(delays);
  });
});

describe("decideSensorWait", () => {
  it.each([
    ["first poke: next after the interval", 0, 1, { kind: "wait", at: 1_000 }],
    ["near the deadline: the next poke is at the deadline", 9_500, 5, { kind: "wait", at: 10_000 }],
    [
      "at the deadline: timeout",
      10_000,
      6,
      { kind: "timeout", reason: "sensor timed out after 10s" },
    ],
    ["past it: timeout", 12_345, 6, { kind: "timeout", reason: "sensor timed out after 10s" }],
  ])("%s", (_name, now, pokes, expected) => {
    expect(decideSensorWait(policy(), 0, now, pokes)).toEqual(expected);
  });
});

//   wait -> load
const dagWith = (sensor: Record<string, unknown>) =>
  makeDag({ wait: { role: "sensor", ...sensor }, load: ["wait"] });
const reschedule = dagWith({ pokeInterval: "1s", timeout: "10s", mode: "reschedule" });
const softFail = dagWith({
  pokeInterval: "1s",
  timeout: "10s",
  mode: "reschedule",
  softFail: true,
  retries: 3,
});
const NOT_DONE: TryOutcome = { status: "reschedule" };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const iso = (seconds: number) => at(seconds).toISOString();

describe("endTry: a sensor's poke that was not done", () => {
  it.each([
    [
      "first poke: up_for_reschedule, its next poke in retries, nothing downstream settles",
      reschedule,
      runningTry(iso(0)),
      2,
      {
        tasks: ["wait: up_for_reschedule"],
        ready: [],
        retries: [`wait at ${iso(3)}`],
      },
      { try_number: 1, sensor_start: iso(0), sensor_pokes: 1, next_try_at: iso(3), pid: null },
    ],
    [
      "a later poke: sensor_start kept, pokes counted",
      reschedule,
      runningTry(iso(5), { sensor_start: iso(0), sensor_pokes: 4 }),
      5,
      { tasks: ["wait: up_for_reschedule"], ready: [], retries: [`wait at ${iso(6)}`] },
      { try_number: 1, sensor_start: iso(0), sensor_pokes: 5 },
    ],
    [
      "the last poke before the deadline: the next one is at the deadline",
      reschedule,
      runningTry(iso(9), { sensor_start: iso(0), sensor_pokes: 9 }),
      9.5,
      { tasks: ["wait: up_for_reschedule"], ready: [], retries: [`wait at ${iso(10)}`] },
      { next_try_at: iso(10) },
    ],
    [
      "past the timeout: failed without retry, the downstream upstream_failed",
      reschedule,
      runningTry(iso(10), { sensor_start: iso(0), sensor_pokes: 10 }),
      10,
      {
        tasks: [
          "wait: failed (sensor timed out after 10s)",
          'load: upstream_failed (upstream task "wait" failed)',
        ],
        ready: [],
        retries: [],
      },
      { state: "failed", sensor_start: undefined },
    ],
    [
      "past the timeout with softFail: skipped, whatever its retries",
      softFail,
      runningTry(iso(10), { sensor_start: iso(0), sensor_pokes: 10 }),
      10,
      {
        tasks: [
          "wait: skipped (sensor timed out after 10s (softFail))",
          'load: skipped (upstream task "wait" was skipped)',
        ],
        ready: [],
        retries: [],
      },
      { state: "skipped" },
    ],
  ])("%s", (_name, dag, running, seconds, expected, instance) => {
    const run = runOf(dag, { wait: running });
    const ended = endTry(dag, run.tasks, {
      taskId: "wait",
      outcome: NOT_DONE,
      at: new Date(at(0).getTime() + seconds * 1_000),
      logicalDate: run.logical_date,
      halt: undefined,
    });
    expect(describeEvent(ended)).toEqual(expected);
    expect(ended.instance).toMatchObject(instance);
  });

  it("a task that is not a sensor cannot reschedule: failed without retry", () => {
    const dag = makeDag({ plain: { role: "plain", retries: 2 } });
    const run = runOf(dag, { plain: runningTry(iso(0)) });
    const ended = endTry(dag, run.tasks, {
      taskId: "plain",
      outcome: NOT_DONE,
      at: at(1),
      logicalDate: run.logical_date,
      halt: undefined,
    });
    expect(describeEvent(ended).tasks).toEqual([
      "plain: failed (only a sensor can reschedule its try)",
    ]);
  });
});

describe("a sensor's next poke", () => {
  const waiting = {
    state: "up_for_reschedule" as const,
    try_number: 1,
    max_tries: 1,
    start: iso(0),
    sensor_start: iso(0),
    sensor_pokes: 2,
    next_try_at: iso(4),
  };

  it.each([
    [
      "before next_try_at: waiting, like a retry",
      3,
      { ready: [], waitingForRetry: [{ taskId: "wait", at: iso(4) }] },
    ],
    ["at next_try_at: ready", 4, { ready: ["wait"], waitingForRetry: [] }],
  ])("settleRun, %s", (_name, seconds, expected) => {
    const run = runOf(reschedule, { wait: waiting });
    const { ready, waitingForRetry } = settleRun(reschedule, run.tasks, { now: at(seconds) });
    expect({ ready, waitingForRetry }).toEqual(expected);
  });

  it("startTry keeps the try number (Airflow keeps try_number across reschedules) and the wait", () => {
    const run = runOf(reschedule, { wait: waiting });
    const ti = run.tasks.wait!;
    expect(nextTryNumber(ti)).toBe(1);
    expect(startTry(ti, at(4), { pid: 7, logPath: "1.log" })).toMatchObject({
      state: "running",
      try_number: 1,
      sensor_start: iso(0),
      sensor_pokes: 2,
      next_try_at: null,
    });
    expect(nextTryNumber({ ...ti, state: "up_for_retry" })).toBe(2);
  });

  it("counts as active: the run keeps running while a sensor waits", () => {
    const run = runOf(reschedule, { wait: waiting });
    expect(
      decideRunOutcome(reschedule, run.tasks, { ready: 0, running: 0, waitingForRetry: 1 }),
    ).toEqual({
      state: "running",
    });
  });
});

describe("a dead flow process and a reschedule-mode sensor", () => {
  it("an up_for_reschedule sensor is not a lost try: the run is requeued, the sensor untouched", () => {
    const run = runOf(
      reschedule,
      {
        wait: {
          state: "up_for_reschedule",
          try_number: 1,
          sensor_start: iso(0),
          next_try_at: iso(4),
        },
      },
      { state: "running", owner: { pid: 9, hostname: "h", heartbeat: iso(0) } },
    );
    const event = recoverLostRun(reschedule, run, at(2));
    expect(describeEvent(event)).toEqual({ tasks: [], ready: [], retries: [`wait at ${iso(4)}`] });
    expect(event.run!.state).toBe("queued");
  });

  it.each([
    ["within its timeout: a poke that was not done", 3, "wait: up_for_reschedule"],
    ["past it: failed without retry", 12, "wait: failed (sensor timed out after 10s)"],
  ])("a poke lost mid-way, %s", (_name, seconds, change) => {
    const run = runOf(
      reschedule,
      { wait: runningTry(iso(2), { sensor_start: iso(0), sensor_pokes: 2 }) },
      { owner: { pid: 9, hostname: "h", heartbeat: iso(0) } },
    );
    const event = beginRun(reschedule, run, at(seconds), { pid: 10, hostname: "h" });
    expect(describeEvent(event).tasks).toEqual([change]);
  });
});

describe("clear", () => {
  it("a cleared sensor waits afresh: its sensor_start and pokes go", () => {
    const run = runOf(softFail, {
      wait: { state: "skipped", try_number: 1, sensor_start: iso(0), sensor_pokes: 10 },
    });
    const cleared = clearTaskInstance(run.tasks.wait!, softFail.tasks.get("wait")!);
    expect(cleared).toMatchObject({ state: "none", try_number: 1 });
    expect("sensor_start" in cleared || "sensor_pokes" in cleared).toBe(false);
  });
});

describe("buildDag: sensor options", () => {
  it("a sensor task gets its policy; others have none", () => {
    const dag = makeDag({
      wait: { role: "sensor", pokeInterval: 5, mode: "reschedule" },
      load: ["wait"],
    });
    expect(dag.tasks.get("wait")!.sensor).toMatchObject({
      pokeIntervalMs: 5_000,
      mode: "reschedule",
    });
    expect(dag.tasks.get("load")!.sensor).toBeUndefined();
  });

  it("a misspelled option is suggested among the sensor's options too; executionTimeout is the try's limit", () => {
    const result = buildDag({
      file: "p.ts",
      id: "d",
      tasks: [
        {
          id: "s",
          kind: "function",
          role: "sensor",
          upstream: [],
          downstream: [],
          options: { pokeIntervl: 1, executionTimeout: "2s" },
        },
      ],
    });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      'p.ts: dag "d": task "s": unknown option "pokeIntervl" (did you mean "pokeInterval"?)',
    ]);
  });
});
