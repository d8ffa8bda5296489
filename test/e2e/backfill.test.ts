import { afterEach, describe, expect, it } from "vitest";
import { makeProject, normalise, statusJson, type Project } from "./harness.js";

// Every test pins "now" after its ranges, so no interval is left out as "not ended yet".
const env = { FLOW_NOW: "2026-06-01T00:00:00Z" };

// One line per try that ran to its end: "<ds> <task>"; counts executions across invocations.
const MARK = 'echo "$FLOW_DS $FLOW_TASK_ID" >> executed.log';

const DAILY = `
import { dag, bash } from "flow";
const extract = bash("extract", 'echo "$FLOW_DS|$FLOW_DATA_INTERVAL_START|$FLOW_DATA_INTERVAL_END|$FLOW_RUN_TYPE" >> ds.txt');
export default dag({ id: "daily", schedule: "@daily", start: "2026-01-01", tasks: [extract] });
`;

// b fails for 2026-01-03 until the file "fixed" exists; c depends on b, side on a only.
const FLAKY = `
import { dag, bash } from "flow";
const a = bash("a", '${MARK}');
const b = bash("b", '[ "$FLOW_DS" != 2026-01-03 ] || [ -f fixed ] || exit 3; ${MARK}', { upstream: [a] });
const c = bash("c", '${MARK}', { upstream: [b] });
const side = bash("side", '${MARK}', { upstream: [a] });
export default dag({ id: "flaky", schedule: "@daily", start: "2026-01-01", tasks: [a, b, c, side] });
`;

// Each run records when it started and ended (ms), to see overlaps and order.
const TIMED = `
import { dag, bash } from "flow";
const work = bash("work", 'echo "$FLOW_DS start $(date +%s%N)" >> times.log; sleep 0.3; echo "$FLOW_DS end $(date +%s%N)" >> times.log');
export default dag({ id: "timed", schedule: "@daily", start: "2026-01-01", maxActiveRuns: 8, tasks: [work] });
`;

// "slow" takes long enough for a Ctrl-C to land while it runs; it marks only when it completes.
const SLOW = `
import { dag, bash } from "flow";
const quick = bash("quick", '${MARK}');
const slow = bash("slow", 'sleep 1.5; ${MARK}', { upstream: [quick], retries: 1, retryDelay: 0 });
export default dag({ id: "slow", schedule: "@daily", start: "2026-01-01", tasks: [quick, slow] });
`;

const MANUAL = `
import { dag, bash } from "flow";
export default dag({ id: "manual_only", tasks: [bash("t", "true")] });
`;

let project: Project;
afterEach(async () => project?.cleanup());

const range = (dagId: string, start: string, end: string, ...more: string[]): string[] => [
  "backfill",
  dagId,
  "--start",
  start,
  "--end",
  end,
  ...more,
];

async function executed(): Promise<string[]> {
  const text = await project.read("executed.log").catch(() => "");
  return text.split("\n").filter(Boolean).sort();
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("flow backfill", () => {
  it("creates a backfill run per day with its data interval, then skips them when run again", async () => {
    project = await makeProject({ "pipelines/daily.ts": DAILY });
    const result = await project.flow(range("daily", "2026-01-01", "2026-01-05"), { env });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const out = normalise(result.stdout);
    expect(out).toContain("backfill daily (@daily, UTC): 5 run(s): 5 create; executing 5");
    expect(result.stdout).toMatch(
      /Z {2}backfill__2026-01-01T00:00:00\+00:00 {2}success in \S+ {2}\(\d\/5\)\n/,
    );
    expect(out).toMatch(/backfill: 5 run\(s\): 5 success; executed 5 in <dur>$/);

    const lines = (await project.read("ds.txt")).split("\n").filter(Boolean).sort();
    expect(lines).toEqual(
      [1, 2, 3, 4, 5].map((d) => {
        const day = `2026-01-0${d}`;
        const next = `2026-01-0${d + 1}`;
        return `${day}|${day}T00:00:00.000Z|${next}T00:00:00.000Z|backfill`;
      }),
    );
    const { runs } = await statusJson(project, "daily");
    expect(
      runs.map((run) => {
        const { run_id, run_type, state, data_interval_start, data_interval_end } = run as never;
        return [run_id, run_type, state, data_interval_start, data_interval_end];
      }),
    ).toEqual(
      [1, 2, 3, 4, 5].map((d) => [
        `backfill__2026-01-0${d}T00:00:00+00:00`,
        "backfill",
        "success",
        `2026-01-0${d}T00:00:00.000Z`,
        `2026-01-0${d + 1}T00:00:00.000Z`,
      ]),
    );

    const before = await project.snapshotState();
    const again = await project.flow(range("daily", "2026-01-01", "2026-01-05"), { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("5 run(s): 5 skip; nothing to run");
    expect((await project.read("ds.txt")).split("\n").filter(Boolean)).toHaveLength(5);
    expect(await project.snapshotState()).toEqual(before);
  });

  it("--dry-run prints the plan and writes nothing; the range is clamped and notes say why", async () => {
    project = await makeProject({
      "pipelines/daily.ts": DAILY.replace("2026-01-01", "2026-01-02"),
    });
    const dry = await project.flow(range("daily", "2025-12-31", "2026-01-06", "--dry-run"), {
      env: { FLOW_NOW: "2026-01-05T12:00:00Z" },
    });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toBe(
      [
        "flow: note: 2 interval(s) before the DAG's start (2026-01-02T00:00:00+00:00) left out",
        "flow: note: 2 interval(s) not ended yet left out (a run is due once its interval ends)",
      ].join("\n"),
    );
    expect(dry.stdout).toBe(
      [
        "backfill daily (@daily, UTC): 3 run(s): 3 create (dry run: nothing written)",
        "2026-01-02T00:00:00+00:00  [2026-01-02T00:00:00+00:00, 2026-01-03T00:00:00+00:00)  create  backfill__2026-01-02T00:00:00+00:00",
        "2026-01-03T00:00:00+00:00  [2026-01-03T00:00:00+00:00, 2026-01-04T00:00:00+00:00)  create  backfill__2026-01-03T00:00:00+00:00",
        "2026-01-04T00:00:00+00:00  [2026-01-04T00:00:00+00:00, 2026-01-05T00:00:00+00:00)  create  backfill__2026-01-04T00:00:00+00:00",
      ].join("\n"),
    );
    expect(await project.snapshotState()).toEqual(new Map());

    expect((await project.flow(range("daily", "2026-01-03", "2026-01-03"), { env })).exitCode).toBe(
      0,
    );
    const before = await project.snapshotState();
    const json = await project.flow(
      range("daily", "2026-01-02", "2026-01-04", "--dry-run", "--json", "--reverse"),
      { env },
    );
    expect(json.exitCode, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout).plan as { run_id: string; action: string }[];
    expect(plan.map((step) => [step.run_id.slice(10, 20), step.action])).toEqual([
      ["2026-01-04", "create"],
      ["2026-01-03", "skip"],
      ["2026-01-02", "create"],
    ]);
    expect(await project.snapshotState()).toEqual(before);
  });

  it("leaves a failed run alone, reruns only its failed tasks with --rerun-failed, everything with --reset", async () => {
    project = await makeProject({ "pipelines/flaky.ts": FLAKY });
    const first = await project.flow(range("flaky", "2026-01-02", "2026-01-04"), { env });
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.stdout).toContain("backfill: 3 run(s): 2 success, 1 failed; executed 3");
    const day = (d: string): string[] => ["a", "b", "c", "side"].map((t) => `2026-01-${d} ${t}`);
    expect(await executed()).toEqual(
      [...day("02"), "2026-01-03 a", "2026-01-03 side", ...day("04")].sort(),
    );

    const left = await project.flow(range("flaky", "2026-01-02", "2026-01-04"), { env });
    expect(left.exitCode).toBe(1); // the range still holds a failed run
    expect(left.stdout).toContain("3 run(s): 3 skip; nothing to run");
    expect(await executed()).toHaveLength(10);

    await project.write("fixed", "");
    const rerun = await project.flow(range("flaky", "2026-01-02", "2026-01-04", "--rerun-failed"), {
      env,
    });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain("3 run(s): 1 rerun, 2 skip; executing 1");
    expect(await executed()).toEqual([...day("02"), ...day("03"), ...day("04")].sort());
    const run3 = (await statusJson(project, "flaky")).runs[1]!;
    expect(run3.state).toBe("success");
    expect(run3.tasks.a!.try_number).toBe(1);
    expect(run3.tasks.b!.try_number).toBe(2);

    const reset = await project.flow(range("flaky", "2026-01-02", "2026-01-03", "--reset"), {
      env,
    });
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(reset.stdout).toContain("2 run(s): 2 rerun; executing 2");
    expect(await executed()).toEqual(
      [...day("02"), ...day("02"), ...day("03"), ...day("03"), ...day("04")].sort(),
    );
  });

  it("--max-active-runs 1 runs one at a time, and --reverse starts with the newest", async () => {
    project = await makeProject({ "pipelines/timed.ts": TIMED });
    const result = await project.flow(
      range("timed", "2026-01-01", "2026-01-04", "--max-active-runs", "1", "--reverse"),
      { env },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const events = (await project.read("times.log"))
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" "));
    expect(events.map(([ds, what]) => `${ds} ${what}`)).toEqual(
      ["04", "03", "02", "01"].flatMap((d) => [`2026-01-${d} start`, `2026-01-${d} end`]),
    );
    const times = events.map(([, , ns]) => BigInt(ns!));
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true);

    // Without the limit (the DAG allows 8), the runs overlap.
    const overlapping = await project.flow(range("timed", "2026-01-05", "2026-01-08"), { env });
    expect(overlapping.exitCode, overlapping.stderr).toBe(0);
    const later = (await project.read("times.log")).split("\n").filter(Boolean).slice(8);
    expect(later.slice(0, 2).every((line) => line.includes(" start "))).toBe(true);
  });

  it("refuses bad input with one line, exit 2 and nothing written", async () => {
    project = await makeProject({ "pipelines/daily.ts": DAILY, "pipelines/manual.ts": MANUAL });
    expect((await project.flow(range("daily", "2026-01-01", "2026-01-01"), { env })).exitCode).toBe(
      0,
    );
    const before = await project.snapshotState();
    const cases: [string[], RegExp][] = [
      [
        range("daily", "2026-01-05", "2026-01-01"),
        /^flow: --end 2026-01-01 is before --start 2026-01-05$/,
      ],
      [
        range("dialy", "2026-01-01", "2026-01-05"),
        /^flow: unknown dag "dialy" \(did you mean "daily"\?/,
      ],
      [
        range("manual_only", "2026-01-01", "2026-01-05"),
        /^flow: dag "manual_only" has no schedule: nothing to backfill; use flow run manual_only --date <date>$/,
      ],
      [range("daily", "2026-01-01", "someday"), /^flow: --end "someday" is not a valid date\n/],
      // (--start without --end is one date since issue 10: test/e2e/new-user.test.ts)
      [range("daily", "2026-01-01", "2026-01-02", "--max-active-runs", "0"), /--max-active-runs/],
    ];
    for (const [args, stderr] of cases) {
      const result = await project.flow(args, { env });
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(stderr);
      expect(result.stdout).toBe("");
    }
    expect(await project.snapshotState()).toEqual(before);
  });

  it("Ctrl-C: exits 130 with no run left running; the same command resumes without repeating work", async () => {
    project = await makeProject({ "pipelines/slow.ts": SLOW });
    const args = range("slow", "2026-01-01", "2026-01-04", "--max-active-runs", "1");
    // --grace 0: Ctrl-C stops the running task at once (the graceful stop has its own test).
    const child = project.spawn([...args, "--grace", "0"], { env });
    // Interrupt while day 2's "slow" runs: day 1 is done, days 3 and 4 not started.
    await waitFor("day 2 to be half done", async () =>
      (await executed()).includes("2026-01-02 quick"),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGINT");
    const stopped = await child;
    expect(stopped.exitCode).toBe(130);
    expect(stopped.stderr).toContain("flow: interrupted");
    expect(stopped.stdout).toContain("backfill__2026-01-02T00:00:00+00:00  interrupted");
    expect(stopped.stdout).toMatch(
      /backfill: 2 run\(s\): 1 success, 1 queued; executed 1, 1 interrupted, 2 not started in /,
    );

    const { runs } = await statusJson(project, "slow");
    expect(runs.map((run) => [run.run_id.slice(10, 20), run.state])).toEqual([
      ["2026-01-01", "success"],
      ["2026-01-02", "queued"],
    ]);
    expect(runs[1]!.tasks.quick!.state).toBe("success");
    expect(runs[1]!.tasks.slow!.state).toBe("none");

    const resumed = await project.flow(args, { env });
    expect(resumed.exitCode, `${resumed.stderr}\n${resumed.stdout}`).toBe(0);
    expect(resumed.stdout).toContain("4 run(s): 2 create, 1 resume, 1 skip; executing 3");
    const done = await statusJson(project, "slow");
    expect(done.runs.map((run) => run.state)).toEqual(["success", "success", "success", "success"]);
    const expected = ["01", "02", "03", "04"].flatMap((d) => [
      `2026-01-${d} quick`,
      `2026-01-${d} slow`,
    ]);
    expect(await executed()).toEqual(expected.sort());
  });
});

describe("flow backfill after kill -9", () => {
  it("refuses while the dead process's lock is fresh, then recovers the lost run and resumes", async () => {
    project = await makeProject({ "pipelines/slow.ts": SLOW });
    // Long enough for the next command to start and plan on a busy machine while the lock is fresh.
    const lockEnv = { ...env, FLOW_LOCK_STALE_MS: "4000" };
    const args = range("slow", "2026-01-01", "2026-01-02", "--max-active-runs", "1");
    const child = project.spawn(args, { env: lockEnv });
    // Half done: quick's success is in the journal (its marker alone is not enough: on a loaded
    // machine flow may not have recorded the end yet, and a kill then loses quick's try too).
    await waitFor("day 1 to be half done", async () =>
      (await project.read("state/runs/slow/backfill__2026-01-01T00:00:00+00:00.journal"))
        .split("\n")
        .filter(Boolean)
        .some((line) => {
          const task = (JSON.parse(line) as { task?: { task_id: string; state: string } }).task;
          return task?.task_id === "quick" && task.state === "success";
        }),
    );
    child.kill("SIGKILL");
    await child;
    const killedAt = Date.now();

    const busy = await project.flow(args, { env: lockEnv });
    expect(busy.exitCode).toBe(4);
    expect(busy.stderr).toMatch(
      /^flow: run "backfill__2026-01-01T00:00:00\+00:00" is still locked by flow process \d+, which has exited\nflow: hint: its lock goes stale seconds after its last refresh: run the backfill again then$/,
    );

    const stale = killedAt + 4_500 - Date.now(); // the dead process's lock goes stale
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stale)));
    const resumed = await project.flow(args, { env: lockEnv });
    expect(resumed.exitCode, `${resumed.stderr}\n${resumed.stdout}`).toBe(0);
    expect(resumed.stdout).toContain("2 run(s): 1 create, 1 resume; executing 2");
    const { runs } = await statusJson(project, "slow");
    expect(runs.map((run) => run.state)).toEqual(["success", "success"]);
    expect(runs[0]!.tasks.slow!.try_number).toBe(2); // the lost try counts, as after any crash
    expect(await executed()).toEqual(
      ["2026-01-01 quick", "2026-01-01 slow", "2026-01-02 quick", "2026-01-02 slow"].sort(),
    );
  });
});
