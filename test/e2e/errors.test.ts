import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

const GOOD = `
import { dag, bash } from "flow";
const a = bash("extract", "echo hi");
const b = bash("load", "echo done", { upstream: [a] });
export default dag({ id: "good", tasks: [a, b] });
`;

let project: Project;
beforeEach(async () => {
  project = await makeProject({ "pipelines/good.ts": GOOD });
  const first = await project.flow(["run", "good", "--date", "2026-03-01"]);
  expect(first.exitCode).toBe(0);
});
afterEach(async () => project.cleanup());

// Each bad input: one line on stderr saying what and where, the exit code from the table, and
// the state dir byte for byte as it was.
describe.each([
  ["unknown dag", ["run", "nope"], 2, /^flow: unknown dag "nope" \(known: "good"\)$/],
  [
    "a typo in the dag id",
    ["run", "godo"],
    2,
    /^flow: unknown dag "godo" \(did you mean "good"\?; known: "good"\)$/,
  ],
  [
    "bad --date",
    ["run", "good", "--date", "2026-13-45"],
    2,
    /^flow: --date "2026-13-45" is not a valid date$/,
  ],
  [
    "a date that does not exist",
    ["run", "good", "--date", "2026-02-30"],
    2,
    /^flow: --date "2026-02-30" is not a valid date$/,
  ],
  [
    "bad --param",
    ["run", "good", "--param", "novalue"],
    2,
    /^flow: --param "novalue" is not key=value$/,
  ],
  [
    "bad --parallelism",
    ["run", "good", "--parallelism", "0"],
    2,
    /^flow: --parallelism must be a whole number >= 1, got "0"$/,
  ],
  ["unknown option", ["run", "good", "--bogus"], 2, /^flow: unknown option "--bogus"$/],
  ["unknown command", ["launch"], 2, /^flow: unknown command "launch"$/],
  [
    "unknown task in logs",
    ["logs", "good", "lod"],
    2,
    /^flow: unknown task "lod" in run "manual__2026-03-01T00:00:00\+00:00" \(known: "extract", "load"\)$/,
  ],
  [
    "unknown run",
    ["status", "good", "--run", "manual__1999"],
    2,
    /^flow: unknown run "manual__1999" of dag "good" \(latest: "manual__2026-03-01T00:00:00\+00:00"\)$/,
  ],
  [
    "try that does not exist",
    ["logs", "good", "load", "--try", "2"],
    2,
    /^flow: task "load" has 1 try in "manual__2026-03-01T00:00:00\+00:00", not 2$/,
  ],
  [
    "unknown task in test",
    ["test", "good", "lod"],
    2,
    /^flow: unknown task "lod" in dag "good" \(known: "extract", "load"\)$/,
  ],
  [
    "missing pipelines dir",
    ["--pipelines", "nowhere", "list"],
    2,
    /^flow: pipelines folder ".*nowhere" does not exist$/,
  ],
])("%s", (_name, args, code, message) => {
  it("prints one line, exits with its code, and changes no state file", async () => {
    const before = await project.snapshotState();
    const result = await project.flow(args);
    expect(result.exitCode).toBe(code);
    const lines = result.stderr
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("flow: hint:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await project.snapshotState()).toEqual(before);
  });
});

describe("a corrupt state file", () => {
  it.each([
    ["not JSON", "{ this is not json"],
    ["empty", ""],
    ["truncated", '{"version":1,"seq":3,"run":{"dag_id":"good","run_id":"manual__2026-03-01T00:'],
    ["wrong shape", '{"version":1,"seq":0,"run":{"dag_id":42}}'],
  ])(
    "%s: every command that reads it stops with exit 4 and never rewrites it",
    async (_name, content) => {
      const file = join(project.stateDir, "runs/good/manual__2026-03-01T00:00:00+00:00.json");
      await writeFile(file, content);
      const before = await project.snapshotState();
      for (const args of [
        ["status", "good"],
        ["tree", "good"],
        ["list"],
        ["logs", "good", "load"],
      ]) {
        const result = await project.flow(args);
        expect(result.exitCode, args.join(" ")).toBe(4);
        const lines = result.stderr
          .split("\n")
          .filter((line) => line !== "" && !line.startsWith("flow: hint:"));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("manual__2026-03-01T00:00:00+00:00.json");
      }
      expect(await project.snapshotState()).toEqual(before);
      expect(await readFile(file, "utf8")).toBe(content);
    },
  );
});

describe("broken pipelines", () => {
  it("reports each broken file as an import error while the good ones still load and run", async () => {
    await project.write(
      "pipelines/syntax.ts",
      "import { dag } from 'flow';\nexport default dag({ id: 'syntax', tasks: [ });\n",
    );
    await project.write("pipelines/throws.ts", "throw new Error('no database configured');\n");
    await project.write(
      "pipelines/cycle.ts",
      `import { dag, bash } from "flow";
const extract = bash("extract", "true");
const transform = bash("transform", "true", { upstream: [extract] });
extract.setUpstream(transform);
export default dag({ id: "cyclic", tasks: [extract, transform] });
`,
    );
    await project.write(
      "pipelines/typo.ts",
      `import { dag, bash } from "flow";
export default dag({ id: "typo", tasks: [bash("extract", "true"), bash("load", "true", { upstream: ["extrct"] }), bash("load", "true")] });
`,
    );
    const validate = await project.flow(["validate"]);
    expect(validate.exitCode).toBe(3);
    expect(validate.stderr).toContain(
      'pipelines/cycle.ts: dag "cyclic": cycle: extract -> transform -> extract',
    );
    expect(validate.stderr).toContain(
      'pipelines/typo.ts: dag "typo": task "load": depends on unknown task "extrct" (did you mean "extract"?)',
    );
    expect(validate.stderr).toMatch(/pipelines\/typo\.ts: dag "typo": .*duplicate/);
    expect(validate.stderr).toMatch(/pipelines\/syntax\.ts:2:\d+: /);
    expect(validate.stderr).toContain("pipelines/throws.ts:1: Error: no database configured");
    expect(validate.stdout).toMatch(/^1 DAG valid, \d+ problems in 4 place\(s\)$/m);

    const list = await project.flow(["list"]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain("good");
    expect(list.stdout).toContain("Import errors (4):");

    const run = await project.flow(["run", "good", "--date", "2026-03-02"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(
      "flow: warning: import error: pipelines/throws.ts:1: Error: no database configured",
    );

    const cyclic = await project.flow(["run", "cyclic"]);
    expect(cyclic.exitCode).toBe(3);
    expect(cyclic.stderr.trim()).toBe(
      'flow: pipelines/cycle.ts: dag "cyclic": cycle: extract -> transform -> extract',
    );
  });

  it("validate exits 0 and counts the DAGs when everything loads", async () => {
    const result = await project.flow(["validate"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "1 DAG valid", stderr: "" });
  });
});
