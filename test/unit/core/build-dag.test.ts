import { describe, expect, it } from "vitest";
import {
  buildDag,
  formatIssue,
  type DagInput,
  type TaskInput,
} from "../../../src/core/build-dag.js";

function task(
  id: unknown,
  upstream: unknown[] = [],
  options: Record<string, unknown> = {},
  downstream: unknown[] = [],
): TaskInput {
  return { id, kind: "bash", upstream, downstream, options };
}

function input(overrides: Partial<DagInput> = {}): DagInput {
  return {
    file: "pipelines/etl.ts",
    id: "daily_sales",
    tasks: [task("extract"), task("transform", ["extract"]), task("load", ["transform"])],
    ...overrides,
  };
}

// The formatted issues of an input that must fail.
function problems(overrides: Partial<DagInput>): string[] {
  const result = buildDag(input(overrides));
  if (result.ok) throw new Error("expected issues");
  return result.issues.map(formatIssue);
}

describe("buildDag: a valid DAG", () => {
  it("applies Airflow's defaults", () => {
    const result = buildDag(input());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { tasks, ...dag } = result.dag;
    expect(dag).toEqual({
      id: "daily_sales",
      file: "pipelines/etl.ts",
      description: undefined,
      tags: [],
      schedule: null,
      start: undefined,
      end: undefined,
      timezone: "UTC",
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      failFast: false,
      params: {},
    });
    expect(tasks.get("transform")).toEqual({
      id: "transform",
      kind: "bash",
      role: "plain",
      retries: 0,
      retryDelayMs: 300_000,
      retryExponentialBackoff: false,
      maxRetryDelayMs: undefined,
      timeoutMs: undefined,
      triggerRule: "all_success",
      dependsOnPast: false,
      upstream: ["extract"],
      downstream: ["load"],
    });
  });

  it("keeps every DAG field; dates without an offset are read in the DAG's timezone", () => {
    const result = buildDag(
      input({
        description: "Sales per day",
        tags: ["sales", "daily"],
        schedule: "@daily",
        start: "2026-01-01",
        end: new Date("2026-12-31T00:00:00Z"),
        timezone: "Europe/Paris",
        catchup: true,
        maxActiveRuns: 1,
        maxActiveTasks: 4,
        params: { region: "eu", limit: 10, nested: { ok: [true, null] } },
      }),
    );
    expect(result.ok && { ...result.dag, tasks: undefined }).toEqual({
      id: "daily_sales",
      file: "pipelines/etl.ts",
      description: "Sales per day",
      tags: ["sales", "daily"],
      schedule: "@daily",
      start: "2025-12-31T23:00:00.000Z",
      end: "2026-12-31T00:00:00.000Z",
      timezone: "Europe/Paris",
      catchup: true,
      maxActiveRuns: 1,
      maxActiveTasks: 4,
      failFast: false,
      params: { region: "eu", limit: 10, nested: { ok: [true, null] } },
      tasks: undefined,
    });
  });

  it("lays DAG defaults under task options", () => {
    const result = buildDag(
      input({
        defaults: { retries: 2, retryDelay: "30s", timeout: 60, triggerRule: "all_done" },
        tasks: [
          task("a", [], {
            retries: 0,
            retryDelay: "1m",
            retryExponentialBackoff: true,
            maxRetryDelay: "1h",
          }),
          task("b", ["a"]),
        ],
      }),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    const {
      id: _a,
      kind: _k,
      role: _r,
      upstream: _u,
      downstream: _d,
      ...a
    } = result.dag.tasks.get("a")!;
    const {
      id: _b,
      kind: _k2,
      role: _r2,
      upstream: _u2,
      downstream: _d2,
      ...b
    } = result.dag.tasks.get("b")!;
    expect(a).toEqual({
      retries: 0,
      retryDelayMs: 60_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: 3_600_000,
      timeoutMs: 60_000,
      triggerRule: "all_done",
      dependsOnPast: false,
    });
    expect(b).toEqual({
      retries: 2,
      retryDelayMs: 30_000,
      retryExponentialBackoff: false,
      maxRetryDelayMs: undefined,
      timeoutMs: 60_000,
      triggerRule: "all_done",
      dependsOnPast: false,
    });
  });

  it("takes dependsOnPast from the DAG defaults unless the task sets it", () => {
    const result = buildDag(
      input({
        defaults: { dependsOnPast: true },
        tasks: [task("a"), task("b", ["a"], { dependsOnPast: false })],
      }),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect([...result.dag.tasks.values()].map((t) => [t.id, t.dependsOnPast])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  it("treats an option set to undefined as not set", () => {
    const result = buildDag(
      input({ defaults: { retries: 3 }, tasks: [task("a", [], { retries: undefined })] }),
    );
    expect(result.ok && result.dag.tasks.get("a")!.retries).toBe(3);
  });

  it("turns downstream lists into upstream edges, sorted and without repeats", () => {
    const result = buildDag(
      input({
        tasks: [
          task("start", [], {}, ["b", "a", "a"]),
          task("a"),
          task("b", ["start"]),
          task("end", ["b", "a"]),
        ],
      }),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    const edges = [...result.dag.tasks.values()].map(
      (t) => `${t.id} <- [${t.upstream.join(",")}] -> [${t.downstream.join(",")}]`,
    );
    expect(edges).toEqual([
      "start <- [] -> [a,b]",
      "a <- [start] -> [end]",
      "b <- [start] -> [end]",
      "end <- [a,b] -> []",
    ]);
  });

  it("puts tasks in topological order, ties by id", () => {
    const result = buildDag(
      input({
        tasks: [
          task("z_report", ["m_load"]),
          task("m_load", ["b_extract", "a_extract"]),
          task("b_extract"),
          task("a_extract"),
        ],
      }),
    );
    expect(result.ok && [...result.dag.tasks.keys()]).toEqual([
      "a_extract",
      "b_extract",
      "m_load",
      "z_report",
    ]);
  });

  it.each([
    ["letters, digits, _ - .", "Daily_sales-v2.1"],
    ["a leading digit", "2026_report"],
    ["a leading underscore", "_private"],
    ["250 characters", "a".repeat(250)],
  ])("accepts an id with %s", (_name, id) => {
    expect(buildDag(input({ id })).ok).toBe(true);
  });

  it("builds a 10,000-task chain (its speed: npm run bench, W6)", () => {
    const name = (i: number): string => `t${String(i).padStart(5, "0")}`;
    const tasks = Array.from({ length: 10_000 }, (_, i) =>
      task(name(i), i === 0 ? [] : [name(i - 1)]),
    );
    const result = buildDag(input({ tasks }));
    expect(result.ok && result.dag.tasks.size).toBe(10_000);
  });
});

describe("buildDag: problems", () => {
  const at = 'pipelines/etl.ts: dag "daily_sales":';
  const rule = 'use letters, digits, "_", "-" and "." (not first), at most 250 characters';

  it.each<[string, Partial<DagInput>, string[]]>([
    [
      "an unknown upstream, with a suggestion",
      { tasks: [task("extract"), task("load", ["extrct"])] },
      [`${at} task "load": depends on unknown task "extrct" (did you mean "extract"?)`],
    ],
    [
      "an unknown upstream, nothing close",
      { tasks: [task("extract"), task("load", ["publish"])] },
      [`${at} task "load": depends on unknown task "publish"`],
    ],
    [
      "an unknown downstream",
      { tasks: [task("extract", [], {}, ["lod"]), task("load")] },
      [`${at} task "extract": lists unknown downstream task "lod" (did you mean "load"?)`],
    ],
    [
      "a task depending on itself",
      { tasks: [task("a", ["a"])] },
      [`${at} task "a": depends on itself`],
    ],
    [
      "a two-task cycle",
      { tasks: [task("transform", ["extract"]), task("extract", ["transform"])] },
      [`${at} cycle: extract -> transform -> extract`],
    ],
    [
      "a three-task cycle behind a valid root",
      { tasks: [task("root"), task("a", ["root", "c"]), task("b", ["a"]), task("c", ["b"])] },
      [`${at} cycle: a -> b -> c -> a`],
    ],
    [
      "two separate cycles",
      { tasks: [task("a", ["b"]), task("b", ["a"]), task("x", ["y"]), task("y", ["x"])] },
      [`${at} cycle: a -> b -> a`, `${at} cycle: x -> y -> x`],
    ],
    [
      "a cycle through a downstream list",
      { tasks: [task("a", [], {}, ["b"]), task("b", [], {}, ["a"])] },
      [`${at} cycle: a -> b -> a`],
    ],
    [
      "duplicate task ids",
      { tasks: [task("a"), task("a"), task("a")] },
      [`${at} task "a": duplicate task id: 3 tasks are called "a"`],
    ],
    ["no tasks", { tasks: [] }, [`${at} has no tasks: a DAG needs at least one task`]],
    [
      "an upstream that is not a string",
      { tasks: [task("a"), task("b", [42])] },
      [`${at} task "b": upstream entry 1 must be a task or a task id, got 42`],
    ],
  ])("%s", (_name, overrides, expected) => {
    expect(problems(overrides)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ["empty", "", 'pipelines/etl.ts: dag id must be a non-empty string, got ""'],
    ["not a string", 7, "pipelines/etl.ts: dag id must be a non-empty string, got 7"],
    ["a space", "daily sales", `pipelines/etl.ts: dag id "daily sales" is not valid: ${rule}`],
    ["a slash", "etl/daily", `pipelines/etl.ts: dag id "etl/daily" is not valid: ${rule}`],
    ["a leading dot", "..", `pipelines/etl.ts: dag id ".." is not valid: ${rule}`],
    ["a leading dash", "-x", `pipelines/etl.ts: dag id "-x" is not valid: ${rule}`],
    [
      "251 characters",
      "a".repeat(251),
      `pipelines/etl.ts: dag id "${"a".repeat(40)}..." is too long: ${rule}`,
    ],
    ["__proto__", "__proto__", 'pipelines/etl.ts: dag id "__proto__" is reserved'],
  ])("rejects a dag id: %s", (_name, id, expected) => {
    expect(problems({ id })).toEqual([expected]);
  });

  it("rejects bad task ids, saying which task", () => {
    expect(problems({ tasks: [task("ok"), task("bad id"), task(undefined)] })).toEqual([
      `${at} task 2: task id "bad id" is not valid: ${rule}`,
      `${at} task 3: task id must be a non-empty string, got undefined`,
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["negative retries", { retries: -1 }, "retries must be a non-negative integer, got -1"],
    ["fractional retries", { retries: 1.5 }, "retries must be a non-negative integer, got 1.5"],
    ["retries as a string", { retries: "3" }, 'retries must be a non-negative integer, got "3"'],
    [
      "a wordy retryDelay",
      { retryDelay: "5 minutes" },
      'retryDelay must be a duration: seconds as a number, or a string such as "500ms", "30s", "5m", "2h", "1d", "1h30m"; got "5 minutes"',
    ],
    [
      "a negative maxRetryDelay",
      { maxRetryDelay: -5 },
      'maxRetryDelay must be a duration: seconds as a number, or a string such as "500ms", "30s", "5m", "2h", "1d", "1h30m"; got -5',
    ],
    [
      "a zero timeout",
      { timeout: "0s" },
      'timeout must be a duration greater than zero: seconds as a number, or a string such as "500ms", "30s", "5m", "2h", "1d", "1h30m"; got "0s"',
    ],
    [
      "backoff as a string",
      { retryExponentialBackoff: "yes" },
      'retryExponentialBackoff must be true or false, got "yes"',
    ],
    [
      "a misspelt trigger rule",
      { triggerRule: "all_sucess" },
      'triggerRule "all_sucess" is not a trigger rule (did you mean "all_success"?)',
    ],
    [
      "an unknown trigger rule",
      { triggerRule: "whenever" },
      'triggerRule "whenever" is not a trigger rule (use one of: all_success, all_failed, all_done, all_skipped, one_success, one_failed, one_done, none_failed, none_failed_min_one_success, none_skipped, always)',
    ],
    ["a misspelt option", { retires: 2 }, 'unknown option "retires" (did you mean "retries"?)'],
    [
      "dependsOnPast as a string",
      { dependsOnPast: "yes" },
      'dependsOnPast must be true or false, got "yes"',
    ],
    [
      "a misspelt dependsOnPast",
      { dependOnPast: true },
      'unknown option "dependOnPast" (did you mean "dependsOnPast"?)',
    ],
  ])("rejects task options: %s", (_name, options, message) => {
    expect(problems({ tasks: [task("a", [], options)] })).toEqual([`${at} task "a": ${message}`]);
  });

  it("rejects bad defaults once, not per task", () => {
    expect(problems({ defaults: { retries: -1 }, tasks: [task("a"), task("b")] })).toEqual([
      `${at} defaults: retries must be a non-negative integer, got -1`,
    ]);
  });

  it.each<[string, Partial<DagInput>, string]>([
    ["tags not strings", { tags: ["a", 1] }, "tags must be an array of strings, got an array"],
    ["tags a string", { tags: "sales" }, 'tags must be an array of strings, got "sales"'],
    ["catchup a string", { catchup: "yes" }, 'catchup must be true or false, got "yes"'],
    [
      "schedule a number",
      { schedule: 5 },
      'schedule must be a cron expression, a preset such as "@daily", an interval such as "6h", or null, got 5',
    ],
    [
      "an empty schedule",
      { schedule: " " },
      'schedule must be a cron expression, a preset such as "@daily", an interval such as "6h", or null, got " "',
    ],
    [
      "a schedule without start",
      { schedule: "@daily" },
      'schedule "@daily" needs a start date (the start of the first data interval)',
    ],
    [
      "an impossible start",
      { start: "2026-02-30" },
      'start must be a Date or an ISO date string such as "2026-01-01" or "2026-01-01T06:00:00Z", got "2026-02-30"',
    ],
    [
      "a non-ISO start",
      { start: "January 1, 2026" },
      'start must be a Date or an ISO date string such as "2026-01-01" or "2026-01-01T06:00:00Z", got "January 1, 2026"',
    ],
    [
      "an invalid Date end",
      { end: new Date(NaN) },
      'end must be a Date or an ISO date string such as "2026-01-01" or "2026-01-01T06:00:00Z", got an invalid Date',
    ],
    [
      "end before start",
      { start: "2026-02-01", end: "2026-01-01" },
      "end (2026-01-01T00:00:00.000Z) is before start (2026-02-01T00:00:00.000Z)",
    ],
    [
      "an empty timezone",
      { timezone: "" },
      'timezone must be an IANA time zone name such as "Europe/Paris", got ""',
    ],
    ["maxActiveRuns zero", { maxActiveRuns: 0 }, "maxActiveRuns must be a positive integer, got 0"],
    [
      "maxActiveTasks fractional",
      { maxActiveTasks: 2.5 },
      "maxActiveTasks must be a positive integer, got 2.5",
    ],
    ["params an array", { params: [1] }, "params must be an object of JSON values, got an array"],
    [
      "params with a function",
      { params: { f: () => 1 } },
      "params must be plain JSON: params.f: a function",
    ],
    [
      "params with a Date",
      { params: { when: new Date(0) } },
      "params must be plain JSON: params.when: a Date, not a plain object",
    ],
    ["description a number", { description: 1 }, "description must be a string, got 1"],
  ])("rejects DAG fields: %s", (_name, overrides, message) => {
    expect(problems(overrides)).toEqual([`${at} ${message}`]);
  });

  it("gathers every problem instead of stopping at the first", () => {
    expect(
      problems({
        id: "daily sales",
        maxActiveRuns: -1,
        tasks: [
          task("extract", [], { retries: -1 }),
          task("load", ["extrct", "load"], { triggerRule: "one_sucess" }),
          task("load"),
        ],
      }),
    ).toEqual([
      `pipelines/etl.ts: dag id "daily sales" is not valid: ${rule}`,
      'pipelines/etl.ts: dag "daily sales": maxActiveRuns must be a positive integer, got -1',
      'pipelines/etl.ts: dag "daily sales": task "extract": retries must be a non-negative integer, got -1',
      'pipelines/etl.ts: dag "daily sales": task "load": triggerRule "one_sucess" is not a trigger rule (did you mean "one_success"?)',
      'pipelines/etl.ts: dag "daily sales": task "load": duplicate task id: 2 tasks are called "load"',
      'pipelines/etl.ts: dag "daily sales": task "load": depends on unknown task "extrct" (did you mean "extract"?)',
      'pipelines/etl.ts: dag "daily sales": task "load": depends on itself',
    ]);
  });
});

describe("formatIssue", () => {
  it.each([
    [
      "file only",
      { file: "pipelines/x.ts", message: "no DAG exported" },
      "pipelines/x.ts: no DAG exported",
    ],
    [
      "file and dag",
      { file: "pipelines/x.ts", dagId: "etl", message: "has no tasks" },
      'pipelines/x.ts: dag "etl": has no tasks',
    ],
    [
      "file, dag and task",
      {
        file: "pipelines/etl.ts",
        dagId: "daily_sales",
        taskId: "load",
        message: 'depends on unknown task "extrct" (did you mean "extract"?)',
      },
      'pipelines/etl.ts: dag "daily_sales": task "load": depends on unknown task "extrct" (did you mean "extract"?)',
    ],
  ])("%s", (_name, issue, expected) => {
    expect(formatIssue(issue)).toBe(expected);
  });
});
