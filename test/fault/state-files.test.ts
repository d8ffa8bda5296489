import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FLOW_BIN, makeProject, type FlowResult, type Project } from "../e2e/harness.js";
import { errorLines, snapshotTree } from "./fault-harness.js";

// A corrupt, truncated or empty snapshot or journal, a read-only state dir, a missing pipelines
// dir: every command stops with one line on stderr and the exit code from the table, and no byte
// under the state dir changes. test/e2e/errors.test.ts covers the reading commands (status, tree,
// list, logs) on a corrupt snapshot; this file covers the commands that write, and journals.

const GOOD = `
import { dag, bash } from "flow";
const extract = bash("extract", "echo hi");
const load = bash("load", "echo done", { upstream: [extract] });
export default dag({ id: "good", schedule: "@daily", start: "2026-03-01", tasks: [extract, load] });
`;
const RUN_ID = "backfill__2026-03-01T00:00:00+00:00";
// Nothing is due at this "now": the latest complete interval (03-01) has its run.
const env = { FLOW_NOW: "2026-03-02T06:00:00Z" };
const SNAPSHOT = `state/runs/good/${RUN_ID}.json`;
const JOURNAL = `state/runs/good/${RUN_ID}.journal`;

const COMMANDS: Record<string, string[]> = {
  "run --run": ["run", "good", "--run", RUN_ID],
  backfill: ["backfill", "good", "--start", "2026-03-01", "--end", "2026-03-01"],
  "clear --yes": ["clear", "good", "--yes"],
  "scheduler --once": ["scheduler", "--once"],
  mark: ["mark", "good", "failed", "--run", RUN_ID, "--task", "load"],
  retry: ["retry", "good", RUN_ID],
  status: ["status", "good"],
};

// One finished run, made once and copied into each test's project.
let template: Project;
let project: Project;
let tried = 0;
beforeAll(async () => {
  template = await makeProject({ "pipelines/good.ts": GOOD });
  const first = await template.flow(
    ["backfill", "good", "--start", "2026-03-01", "--end", "2026-03-01"],
    { env },
  );
  expect(first.exitCode, first.stderr).toBe(0);
});
beforeEach(async () => {
  project = await makeProject({ "pipelines/good.ts": GOOD });
  cpSync(template.stateDir, project.stateDir, { recursive: true });
});
afterEach(async () => project.cleanup());
afterAll(async () => {
  await template?.cleanup();
  console.log(`fault state files: ${tried} command runs on broken state`);
});

// A journal as a process killed mid-run leaves it: lines after the snapshot's seq.
function journalLines(): string[] {
  const snapshot = JSON.parse(readFileSync(join(project.dir, SNAPSHOT), "utf8"));
  return ["extract", "load"].map((taskId, i) =>
    JSON.stringify({ seq: snapshot.seq + 1 + i, task: snapshot.run.tasks[taskId] }),
  );
}

// The scheduler also logs the failure of the DAG as a timestamped line on stderr before the
// error line; that it writes no second copy is the regression test at the end of this file.
const SCHEDULER_LOG_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z {2}dag "good": /;

// What is wrong with one command's answer to broken state (nothing when it is right).
function findRefusalProblems(
  name: string,
  result: FlowResult,
  code: number,
  message: RegExp,
): string[] {
  const lines = errorLines(result.stderr).filter(
    (line) => !(name === "scheduler --once" && SCHEDULER_LOG_LINE.test(line)),
  );
  const problems: string[] = [];
  if (result.exitCode !== code) problems.push(`exit ${result.exitCode}, not ${code}`);
  if (lines.length !== 1) problems.push(`${lines.length} error lines`);
  else if (!message.test(lines[0]!)) problems.push(`the line does not match ${message}`);
  if (/\n\s+at /.test(result.stderr)) problems.push("a stack trace");
  return problems.length === 0 ? [] : [`${name}: ${problems.join(", ")}: ${result.stderr.trim()}`];
}

// Runs each command on the damaged state: exit 4, one line naming `file`, nothing changed.
async function expectEveryCommandRefuses(names: string[], file: RegExp): Promise<void> {
  const before = snapshotTree(project.stateDir);
  const results = await Promise.all(names.map((name) => project.flow(COMMANDS[name]!, { env })));
  tried += names.length;
  const problems = results.flatMap((result, i) =>
    findRefusalProblems(names[i]!, result, 4, new RegExp(`^flow: .*${file.source}`)),
  );
  expect(problems).toEqual([]);
  expect(snapshotTree(project.stateDir)).toEqual(before);
}

const ALL = Object.keys(COMMANDS);
const SOME = ["run --run", "backfill"];
const snapshotFile = /runs\/good\/backfill__2026-03-01T00:00:00\+00:00\.json/;
const journalFile = /runs\/good\/backfill__2026-03-01T00:00:00\+00:00\.journal/;

describe("a broken run file", () => {
  it.each([
    ["snapshot: not JSON", ALL, snapshotFile, () => "{ this is not json"],
    ["snapshot: empty", SOME, snapshotFile, () => ""],
    [
      "snapshot: truncated in the middle",
      SOME,
      snapshotFile,
      () => {
        const text = readFileSync(join(project.dir, SNAPSHOT), "utf8");
        return text.slice(0, Math.floor(text.length / 2));
      },
    ],
    ["snapshot: a JSON array", SOME, snapshotFile, () => "[]"],
  ])("%s: exit 4, one line naming the file, nothing changed", async (_name, names, file, make) => {
    writeFileSync(join(project.dir, SNAPSHOT), make());
    await expectEveryCommandRefuses(names, file);
  });

  it.each([
    [
      "a garbage line before valid ones",
      ALL,
      () => {
        const [a, b] = journalLines();
        return `${a}\n{"seq": oops\n${b}\n`;
      },
    ],
    ["a complete line that is JSON but not an entry", SOME, () => `${journalLines()[0]}\n[1,2]\n`],
    ["a line with a string seq", SOME, () => `{"seq":"7","task":{}}\n`],
    ["binary noise", SOME, () => "\u0000\u0001\u0002\n\u00ff\n"],
  ])(
    "journal with %s: exit 4, one line naming the journal, nothing changed",
    async (_name, names, make) => {
      writeFileSync(join(project.dir, JOURNAL), make());
      await expectEveryCommandRefuses(names, journalFile);
    },
  );

  // BUG (found by this suite, minor: only a hand-made state has this): a journal whose snapshot
  // was removed (runs/good/<run>.journal alone) is invisible to listings: `flow status good`,
  // `flow clear good --yes` and `flow scheduler --once` exit 0 as if the run did not exist (the
  // scheduler may create another run for its date), while `flow backfill` says `run "..."
  // already exists`. The store's own reader calls it corruption ("a journal without its
  // snapshot"); expected: exit 4 naming the journal, from every command.
  // Regression (found by this suite): the run was invisible to status, clear and the scheduler.
  it("a journal without its snapshot: exit 4, one line naming the journal, nothing changed", async () => {
    writeFileSync(join(project.dir, JOURNAL), `${journalLines().join("\n")}\n`);
    rmSync(join(project.dir, SNAPSHOT));
    await expectEveryCommandRefuses(
      ["status", "scheduler --once", "backfill", "clear --yes"],
      journalFile,
    );
  });

  // Regression (found by this suite): on a corrupt run file, `flow scheduler --once` wrote the
  // error twice (its log line, then the `flow:` line).
  it("scheduler --once on a corrupt snapshot writes one line to stderr", async () => {
    writeFileSync(join(project.dir, SNAPSHOT), "{ this is not json");
    const result = await project.flow(COMMANDS["scheduler --once"]!, { env });
    tried++;
    expect(result.exitCode).toBe(4);
    expect(errorLines(result.stderr), result.stderr).toHaveLength(1);
  });

  it.each([
    ["not JSON", "{ nope", "status"],
    ["empty", "", "run --run"],
    ["another layout version", '{"version": 99}', "scheduler --once"],
  ])(
    "the layout marker flow-state.json %s (%s): exit 4, nothing changed",
    async (_name, content, command) => {
      writeFileSync(join(project.stateDir, "flow-state.json"), content);
      await expectEveryCommandRefuses([command], /flow-state\.json/);
    },
  );
});

describe("a journal a kill cut short (tolerated by design)", () => {
  it.each([
    ["empty", () => ""],
    ["ending inside a line", () => `${journalLines()[0]}\n${journalLines()[1]!.slice(0, 25)}`],
  ])("%s: reading commands succeed and leave it as it is", async (_name, make) => {
    writeFileSync(join(project.dir, JOURNAL), make());
    const before = snapshotTree(project.stateDir);
    for (const args of [
      ["status", "good"],
      ["tree", "good"],
    ]) {
      const result = await project.flow(args, { env });
      tried++;
      expect(result.exitCode, `flow ${args.join(" ")}: ${result.stderr}`).toBe(0);
    }
    expect(snapshotTree(project.stateDir)).toEqual(before);
  });
});

// Root ignores file modes, so the read-only case runs flow as `nobody`.
const asNobody = (() => {
  if (process.getuid?.() !== 0) return process.getuid === undefined ? undefined : [];
  const probe = spawnSync("runuser", ["-u", "nobody", "--", "true"]);
  return probe.status === 0 ? ["runuser", "-u", "nobody", "--"] : undefined;
})();

describe("a read-only state dir", () => {
  it.skipIf(asNobody === undefined).each([
    ["run --date", ["run", "good", "--date", "2026-03-05"]],
    ["run --run", ["run", "good", "--run", RUN_ID]],
    ["backfill", ["backfill", "good", "--start", "2026-03-01", "--end", "2026-03-01"]],
    ["clear --yes", ["clear", "good", "--yes"]],
    ["scheduler --once", ["scheduler", "--once"]],
    ["mark", ["mark", "good", "failed", "--run", RUN_ID, "--task", "load"]],
  ])("%s: exit 4, one line, nothing changed", (_name, args) => {
    // The project (made by root, mode 0700) becomes readable; the state dir stays root's.
    chmodSync(project.dir, 0o755);
    spawnSync("chmod", ["-R", "go+rX,go-w", project.dir]);
    const before = snapshotTree(project.stateDir);
    const [command, ...prefix] = [...asNobody!, process.execPath, FLOW_BIN, ...args];
    const result = spawnSync(command!, prefix, {
      cwd: project.dir,
      env: { ...process.env, ...env, NO_COLOR: "1", FORCE_COLOR: "0", HOME: "/tmp" },
      encoding: "utf8",
    });
    tried++;
    const what = `flow ${args.join(" ")}: ${result.stderr}`;
    expect(result.status, what).toBe(4);
    const lines = errorLines(result.stderr);
    expect(lines, what).toHaveLength(1);
    expect(lines[0], what).toMatch(/state.*(EACCES|permission|read-only|cannot write)/i);
    expect(snapshotTree(project.stateDir)).toEqual(before);
  });
  if (asNobody === undefined) {
    console.log("fault state files: read-only state dir skipped (running as root without runuser)");
  }
});

describe("a missing pipelines dir", () => {
  it.each([
    ["run", ["run", "good"]],
    ["run --run", ["run", "good", "--run", RUN_ID]],
    ["backfill", ["backfill", "good", "--start", "2026-03-01", "--end", "2026-03-01"]],
    ["scheduler --once", ["scheduler", "--once"]],
    ["validate", ["validate"]],
    ["test", ["test", "good", "extract"]],
    ["next", ["next", "good"]],
  ])("%s: exit 2, one line naming the folder, nothing changed", async (_name, args) => {
    const before = snapshotTree(project.stateDir);
    const result = await project.flow(["--pipelines", "nowhere", ...args], { env });
    tried++;
    const what = `flow ${args.join(" ")}: ${result.stderr}`;
    expect(result.exitCode, what).toBe(2);
    const lines = errorLines(result.stderr);
    expect(lines, what).toHaveLength(1);
    expect(lines[0], what).toMatch(/^flow: pipelines folder ".*nowhere" does not exist$/);
    expect(snapshotTree(project.stateDir)).toEqual(before);
    expect(existsSync(join(project.dir, "nowhere"))).toBe(false);
  });
});
