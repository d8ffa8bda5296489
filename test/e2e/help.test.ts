import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

// Issue 10, item 12: one style for help text and for commander's own parse errors.

const GOOD = `
import { dag, bash } from "flow";
export default dag({ id: "etl", schedule: "@daily", start: "2026-01-01", tasks: [bash("t", "true")] });
`;

let project: Project;
beforeAll(async () => {
  project = await makeProject({ "pipelines/etl.ts": GOOD });
});
afterAll(async () => project.cleanup());

/** The command names listed under "Commands:" in a help text (`help` itself left out). */
function commandsIn(help: string): string[] {
  const section = (help.split(/^Commands:$/m)[1] ?? "").split("\n\n")[0] ?? "";
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
    .map((match) => match[1] ?? "")
    .filter((name) => name !== "help");
}

/** Every command path (`run`, `scheduler stop`) with its `--help` output, found from `flow --help`. */
async function everyHelp(): Promise<Map<string, string>> {
  const helps = new Map<string, string>();
  const visit = async (path: string[]): Promise<void> => {
    const result = await project.flow([...path, "--help"]);
    expect(result.exitCode, `flow ${path.join(" ")} --help`).toBe(0);
    helps.set(path.join(" "), result.stdout);
    for (const name of commandsIn(result.stdout)) await visit([...path, name]);
  };
  await visit([]);
  return helps;
}

describe("help text", () => {
  let helps: Map<string, string>;
  beforeAll(async () => {
    helps = await everyHelp();
  });

  it("finds every command, sub-commands included", () => {
    expect([...helps.keys()]).toEqual(
      expect.arrayContaining(["", "list", "run", "backfill", "scheduler", "scheduler stop"]),
    );
  });

  it("shows the global --pipelines and --state-dir in every command's help", () => {
    for (const [path, help] of helps) {
      expect(help, `flow ${path} --help`).toMatch(/^ {2}--pipelines <dir> /m);
      expect(help, `flow ${path} --help`).toMatch(/^ {2}--state-dir <dir> /m);
    }
  });

  it("writes every default one way: (default: X), X unquoted", () => {
    for (const [path, help] of helps) {
      // Joined so that a "(default:" wrapped onto the next line is still seen.
      const text = help.replace(/\s+/g, " ");
      for (const match of text.matchAll(/\(default\b[^)]*\)/g)) {
        expect(match[0], `flow ${path} --help`).toMatch(/^\(default: [^"'[\]\s][^"]*\)$/);
      }
      expect(text, `flow ${path} --help`).not.toMatch(/; default\b|\bdefault \d/);
    }
    expect(helps.get("status")).toContain("(default: 20)");
    expect(helps.get("run")).toContain("(default: 32)");
  });
});

describe("commander's parse errors", () => {
  it.each([
    [
      "a missing option value",
      ["backfill", "etl", "--start", "2026-01-01", "--end"],
      'flow: option "--end <date>" argument missing',
      "backfill",
    ],
    [
      "a missing required option",
      ["backfill", "etl"],
      'flow: required option "--start <date>" not specified',
      "backfill",
    ],
    [
      "an unknown option, with a suggestion",
      ["run", "etl", "--jsn"],
      'flow: unknown option "--jsn" (did you mean "--json"?)',
      "run",
    ],
    [
      "a bad choice",
      ["mark", "etl", "done", "--run", "r", "--task", "t"],
      'flow: command-argument value "done" is invalid for argument "state". Allowed choices are success, failed, skipped.',
      "mark",
    ],
    [
      "an unknown option of a sub-command",
      ["scheduler", "stop", "--tmeout", "1s"],
      'flow: unknown option "--tmeout" (did you mean "--timeout"?)',
      "scheduler stop",
    ],
  ])("%s: one error line, then the hint naming the command", async (_name, args, line, path) => {
    const result = await project.flow(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")).toEqual([
      line,
      `flow: hint: flow ${path} --help shows its options`,
    ]);
  });

  it("an unknown command: every line carries flow:, the suggestion on the error line", async () => {
    const result = await project.flow(["lst"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")).toEqual([
      'flow: unknown command "lst" (did you mean "list"?)',
      "flow: hint: flow --help lists the commands, flow <command> --help their options",
    ]);
  });

  it("flow bogus exits 2 and every stderr line starts with flow:", async () => {
    const result = await project.flow(["bogus"]);
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.split("\n");
    expect(lines[0]).toMatch(/^flow: unknown command "bogus"/);
    for (const line of lines) expect(line).toMatch(/^flow: /);
  });
});
