import { afterAll, describe, it } from "vitest";
import { makeProject } from "../e2e/harness.js";
import { errorLines, sleep, snapshotTree } from "./fault-harness.js";

// Bad input, each row with its one-line message and exit code, and the state dir unchanged.
// test/e2e/errors.test.ts already covers: unknown/typo dag and unknown option/command for run,
// bad --date, --param, --parallelism, unknown task in logs/test, unknown run in status, a try
// that does not exist, a missing pipelines dir for list, a cycle (validate, run), duplicate ids
// and a throwing pipeline in validate. This table covers the rest of issue 5's list.

const GOOD = `
import { dag, bash } from "flow";
const a = bash("extract", "echo hi");
const b = bash("load", "echo done", { upstream: [a] });
export default dag({ id: "good", schedule: "@daily", start: "2026-01-01", tasks: [a, b] });
`;
const RUN_ID = "manual__2026-01-05T00:00:00+00:00";
const env = { FLOW_NOW: "2026-02-01T00:00:00Z", FLOW_IMPORT_TIMEOUT_MS: "1500" };

const file = (id: string, options: string): string => `
import { dag, bash } from "flow";
export default dag({ id: "${id}", ${options}, tasks: [bash("t", "true")] });
`;

let tried = 0;
afterAll(() => console.log(`fault bad inputs: ${tried} inputs tried`));

describe.concurrent("bad input: one line, the exit code from the table, no state changed", () => {
  it.for([
    [
      "backfill: unknown dag",
      {},
      ["backfill", "nope", "--start", "2026-01-01", "--end", "2026-01-02"],
      2,
      /^flow: unknown dag "nope" \(known: "good"\)$/,
    ],
    [
      "backfill: --start is not a date",
      {},
      ["backfill", "good", "--start", "2026-13-01", "--end", "2026-01-02"],
      2,
      /^flow: --start "2026-13-01" is not a valid date$/,
    ],
    [
      "backfill: --end before --start",
      {},
      ["backfill", "good", "--start", "2026-01-05", "--end", "2026-01-02"],
      2,
      /^flow: --end 2026-01-02 is before --start 2026-01-05$/,
    ],
    [
      "backfill: a dag without a schedule",
      { "pipelines/manual.ts": file("manual_only", "description: 'm'") },
      ["backfill", "manual_only", "--start", "2026-01-01", "--end", "2026-01-02"],
      2,
      /^flow: dag "manual_only" has no schedule: nothing to backfill; use flow run manual_only --date <date>$/,
    ],
    [
      "backfill: --max-active-runs 0",
      {},
      [
        "backfill",
        "good",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
        "--max-active-runs",
        "0",
      ],
      2,
      /^flow: --max-active-runs must be a whole number >= 1, got "0"$/,
    ],
    [
      "mark: unknown task",
      {},
      ["mark", "good", "success", "--run", RUN_ID, "--task", "nope"],
      2,
      /^flow: unknown task "nope" in dag "good" \(known: "extract", "load"\)$/,
    ],
    [
      "run --run: unknown run",
      {},
      ["run", "good", "--run", "manual__1999"],
      2,
      /^flow: unknown run "manual__1999" of dag "good" \(latest: "manual__2026-01-05T00:00:00\+00:00"\)$/,
    ],
    [
      "run: an hour that does not exist",
      {},
      ["run", "good", "--date", "2026-01-05T25:00"],
      2,
      /^flow: --date "2026-01-05T25:00" is not a valid date$/,
    ],
    [
      "scheduler: --grace is not a duration",
      {},
      ["scheduler", "--once", "--grace", "soon"],
      2,
      /^flow: --grace "soon" is not a duration \(e\.g\. 30s, 2m\)$/,
    ],
    [
      "FLOW_NOW is not a date",
      {},
      ["list", "--env-FLOW_NOW=yesterday"],
      2,
      /^flow: FLOW_NOW="yesterday" is not an ISO date$/,
    ],
    [
      "run: invalid cron",
      { "pipelines/cron.ts": file("bad_cron", "schedule: '61 * * * *', start: '2026-01-01'") },
      ["run", "bad_cron"],
      3,
      /^flow: pipelines\/cron\.ts: dag "bad_cron": invalid schedule "61 \* \* \* \*": minute field "61"/,
    ],
    [
      "run: invalid timezone",
      {
        "pipelines/tz.ts": file(
          "bad_tz",
          "schedule: '@daily', start: '2026-01-01', timezone: 'Mars/Olympus_Mons'",
        ),
      },
      ["run", "bad_tz"],
      3,
      /^flow: pipelines\/tz\.ts: dag "bad_tz": unknown timezone "Mars\/Olympus_Mons" \(an IANA name such as "Europe\/Paris" or "UTC"\)$/,
    ],
    [
      "next: invalid timezone",
      {
        "pipelines/tz.ts": file(
          "bad_tz",
          "schedule: '@daily', start: '2026-01-01', timezone: 'Mars/Olympus_Mons'",
        ),
      },
      ["next", "bad_tz"],
      3,
      /^flow: pipelines\/tz\.ts: dag "bad_tz": unknown timezone "Mars\/Olympus_Mons"/,
    ],
    [
      "run: duplicate task ids",
      {
        "pipelines/dup.ts": `import { dag, bash } from "flow";
export default dag({ id: "dup", tasks: [bash("load", "true"), bash("load", "echo again")] });`,
      },
      ["run", "dup"],
      3,
      /^flow: pipelines\/dup\.ts: dag "dup": task "load": duplicate task id: 2 tasks are called "load"$/,
    ],
    [
      "backfill: a cycle",
      {
        "pipelines/cycle.ts": `import { dag, bash } from "flow";
const a = bash("a", "true"); const b = bash("b", "true", { upstream: [a] }); a.setUpstream(b);
export default dag({ id: "cyclic", schedule: "@daily", start: "2026-01-01", tasks: [a, b] });`,
      },
      ["backfill", "cyclic", "--start", "2026-01-01", "--end", "2026-01-02"],
      3,
      /^flow: pipelines\/cycle\.ts: dag "cyclic": cycle: (a -> b -> a|b -> a -> b)$/,
    ],
    [
      "run: a dag whose file throws at import",
      { "pipelines/thrower.ts": 'throw new Error("no database configured");\nexport {};\n' },
      ["run", "thrower"],
      3,
      /^flow: dag "thrower" is not defined by any pipeline that imported \(known: "good"\), and a file that failed to import may define it: pipelines\/thrower\.ts:1: Error: no database configured$/,
    ],
    [
      "validate: a pipeline still importing after FLOW_IMPORT_TIMEOUT_MS",
      // Pending for 4 s: past the 1.5 s limit, short enough for flow to exit soon after.
      { "pipelines/slow.ts": "await new Promise((resolve) => setTimeout(resolve, 4000));\n" },
      ["validate"],
      3,
      /^pipelines\/slow\.ts: Error: did not finish importing within 1\.5s$/,
    ],
  ] as const)("%s", async ([, files, rawArgs, code, message], { expect }) => {
    const project = await makeProject({ "pipelines/good.ts": GOOD, ...files });
    try {
      // Rows that name a run need one; the others run on a state dir that must stay absent.
      if ((rawArgs as readonly string[]).includes("--run")) {
        const first = await project.flow(["run", "good", "--date", "2026-01-05"], { env });
        expect(first.exitCode, first.stderr).toBe(0);
      }
      const before = snapshotTree(project.stateDir);
      // "--env-NAME=value" rows set a variable instead of passing an argument.
      const extra = Object.fromEntries(
        rawArgs.filter((a) => a.startsWith("--env-")).map((a) => a.slice(6).split("=")),
      );
      const args = rawArgs.filter((a) => !a.startsWith("--env-"));
      const result = await project.flow([...args], { env: { ...env, ...extra } });
      tried++;
      const lines = errorLines(result.stderr).filter((l) => !/^\d+ DAGs? valid/.test(l));
      expect(result.exitCode, result.stderr).toBe(code);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(snapshotTree(project.stateDir)).toEqual(before);
    } finally {
      await project.cleanup();
    }
  });
});

describe.concurrent("a function task returning a value that is not JSON", () => {
  it.for([
    ["a BigInt deep inside", "({ rows: [1, { when: 10n }] })", "$.rows[1].when: a BigInt"],
    [
      "a circular reference",
      "(() => { const a: any = { n: 1 }; a.self = { back: a }; return a; })()",
      "$.self.back: a circular reference",
    ],
    ["a function", "({ cb: () => 1 })", "$.cb: a function"],
    ["NaN", "({ ratio: NaN })", "$.ratio: NaN is not a JSON number"],
    ["a Map", "({ seen: new Map([['a', 1]]) })", "$.seen: a Map, not a plain object"],
    ["undefined in an array", "({ list: [undefined] })", "$.list[0]: undefined"],
  ] as const)(
    "%s: the try fails with the path of the bad value",
    async ([, value, reason], { expect }) => {
      const project = await makeProject({
        "pipelines/bad.ts": `import { dag, fn } from "flow";
export default dag({ id: "bad", tasks: [fn("count", async () => ${value})] });`,
      });
      try {
        const result = await project.flow(["run", "bad", "--date", "2026-01-05"], { env });
        tried++;
        expect(result.exitCode, result.stderr).toBe(1);
        expect(result.stdout).toContain(`count  failed in`);
        expect(result.stdout).toContain(`result is not JSON-serialisable: ${reason}`);
        if (reason.includes("BigInt")) {
          const tree = await project.flow(["tree", "bad"], { env });
          expect(tree.stdout).toContain(`result is not JSON-serialisable: ${reason}`);
        }
      } finally {
        await project.cleanup();
      }
    },
  );
});

describe("a pipeline that never finishes importing", () => {
  // Regression (found by this suite): with `await new Promise(() => {})` at the top of a pipeline
  // file, every command exited 0 at once with no output (the import timeout's timer was
  // unref()'d, so Node found its event loop empty and left).
  it("await new Promise(() => {}): flow validate exits 3 naming the file", async ({ expect }) => {
    const project = await makeProject({
      "pipelines/good.ts": GOOD,
      "pipelines/hang.ts": "await new Promise(() => {});\nexport {};\n",
    });
    try {
      const result = await project.flow(["validate"], { env });
      tried++;
      expect(result.stderr).toMatch(
        /^pipelines\/hang\.ts: Error: did not finish importing within 1\.5s$/m,
      );
      expect(result.exitCode).toBe(3);
    } finally {
      await project.cleanup();
    }
  });

  // Regression (found by this suite): a pipeline whose top-level await never settles while a
  // timer of its own keeps running: flow printed the import error, then never exited.
  it(
    "await with a live interval: flow validate reports it and exits",
    { timeout: 60_000 },
    async ({ expect }) => {
      const project = await makeProject({
        "pipelines/good.ts": GOOD,
        "pipelines/hang.ts": "await new Promise(() => setInterval(() => {}, 1000));\nexport {};\n",
      });
      try {
        const child = project.spawn(["validate"], { env });
        let ended = false;
        void child.then(() => (ended = true));
        for (let waited = 0; waited < 20_000 && !ended; waited += 200) await sleep(200);
        if (!ended) child.kill("SIGKILL");
        const result = await child;
        tried++;
        expect(String(result.stderr)).toContain("did not finish importing within 1.5s");
        expect(ended, "flow validate still running 20 s later").toBe(true);
        expect(result.exitCode).toBe(3);
      } finally {
        await project.cleanup();
      }
    },
  );
});
