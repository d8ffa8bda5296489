import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";
import { listFiles } from "./helpers-files.js";

const ETL = `
import { dag, bash, fn } from "flow";
const extract = bash("extract", "echo extracting");
const load = fn("load", async () => ({ rows: 2 }), { upstream: [extract] });
export default dag({ id: "etl", description: "extract then load", tags: ["sales", "daily"], tasks: [extract, load] });
`;

const DAILY = `
import { dag, bash } from "flow";
export default dag({
  id: "daily",
  schedule: "@daily",
  start: "2026-01-01",
  tasks: [bash("x", "true"), bash("y", "true"), bash("z", "true")],
});
`;

const THROWS = `throw new Error("no database configured");\n`;

const TYPO = `
import { dag, bash } from "flow";
export default dag({ id: "typo", tasks: [bash("extract", "true"), bash("load", "true", { upstream: ["extrct"] })] });
`;

const RUN_ID = "manual__2026-01-05T00:00:00+00:00";

let project: Project;
afterEach(async () => project?.cleanup());

describe("flow list", () => {
  it("shows each DAG with its schedule, task count and last run, then the import errors", async () => {
    project = await makeProject({
      "pipelines/etl.ts": ETL,
      "pipelines/daily.ts": DAILY,
      "pipelines/throws.ts": THROWS,
    });
    const before = await project.flow(["list"]);
    expect(before.exitCode).toBe(0);
    expect(before.stderr).toBe("");
    expect(before.stdout).toBe(
      [
        "┌────────┬──────────┬───────┬──────────┬────────────┬────────────────────┐",
        "│ dag id │ schedule │ tasks │ last run │ last state │ file               │",
        "├────────┼──────────┼───────┼──────────┼────────────┼────────────────────┤",
        "│ daily  │ @daily   │     3 │ -        │ -          │ pipelines/daily.ts │",
        "│ etl    │ None     │     2 │ -        │ -          │ pipelines/etl.ts   │",
        "└────────┴──────────┴───────┴──────────┴────────────┴────────────────────┘",
        "",
        "Import errors (1):",
        "  pipelines/throws.ts:1: Error: no database configured",
      ].join("\n"),
    );

    expect((await project.flow(["run", "etl", "--date", "2026-01-05"])).exitCode).toBe(0);
    const after = await project.flow(["list"]);
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toBe(
      [
        "┌────────┬──────────┬───────┬───────────────────────────────────┬────────────┬────────────────────┐",
        "│ dag id │ schedule │ tasks │ last run                          │ last state │ file               │",
        "├────────┼──────────┼───────┼───────────────────────────────────┼────────────┼────────────────────┤",
        "│ daily  │ @daily   │     3 │ -                                 │ -          │ pipelines/daily.ts │",
        `│ etl    │ None     │     2 │ ${RUN_ID} │ ✔ success  │ pipelines/etl.ts   │`,
        "└────────┴──────────┴───────┴───────────────────────────────────┴────────────┴────────────────────┘",
        "",
        "Import errors (1):",
        "  pipelines/throws.ts:1: Error: no database configured",
      ].join("\n"),
    );
  });

  it("shows a failed last run as failed", async () => {
    project = await makeProject({
      "pipelines/fails.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "fails", tasks: [bash("boom", "exit 2")] });\n`,
    });
    expect((await project.flow(["run", "fails", "--date", "2026-01-05"])).exitCode).toBe(1);
    const list = await project.flow(["list"]);
    expect(list.stdout).toMatch(
      /│ fails +│ None +│ +1 │ manual__2026-01-05T00:00:00\+00:00 │ ✘ failed +│/,
    );
  });

  it("--json prints {dags, import_errors} with every documented field", async () => {
    project = await makeProject({
      "pipelines/etl.ts": ETL,
      "pipelines/daily.ts": DAILY,
      "pipelines/throws.ts": THROWS,
      "pipelines/typo.ts": TYPO,
    });
    expect((await project.flow(["run", "etl", "--date", "2026-01-05"])).exitCode).toBe(0);
    const result = await project.flow(["list", "--json"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      dags: [
        {
          dag_id: "daily",
          file: "pipelines/daily.ts",
          description: null,
          tags: [],
          schedule: "@daily",
          tasks: 3,
          last_run: null,
        },
        {
          dag_id: "etl",
          file: "pipelines/etl.ts",
          description: "extract then load",
          tags: ["sales", "daily"],
          schedule: null,
          tasks: 2,
          last_run: {
            run_id: RUN_ID,
            logical_date: "2026-01-05T00:00:00.000Z",
            state: "success",
            lost_at: null,
          },
        },
      ],
      import_errors: [
        {
          file: "pipelines/throws.ts",
          dag_id: null,
          messages: ["pipelines/throws.ts:1: Error: no database configured"],
        },
        {
          file: "pipelines/typo.ts",
          dag_id: "typo",
          messages: [
            'pipelines/typo.ts: dag "typo": task "load": depends on unknown task "extrct" (did you mean "extract"?)',
          ],
        },
      ],
    });
  });
});

describe("where pipelines and state live", () => {
  it("reads pipelines from --pipelines DIR or FLOW_PIPELINES, the flag winning", async () => {
    project = await makeProject({
      "dags/etl.ts": ETL,
      "other/daily.ts": DAILY,
    });
    const missing = await project.flow(["list"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.split("\n")[0]).toMatch(
      /^flow: pipelines folder ".*\/pipelines" does not exist$/,
    );

    const dagIds = (stdout: string): string[] =>
      (JSON.parse(stdout) as { dags: { dag_id: string }[] }).dags.map((d) => d.dag_id);
    const byFlag = await project.flow(["--pipelines", "dags", "list", "--json"]);
    expect(byFlag.exitCode).toBe(0);
    expect(dagIds(byFlag.stdout)).toEqual(["etl"]);
    const afterCommand = await project.flow(["list", "--json", "--pipelines", "dags"]);
    expect(dagIds(afterCommand.stdout)).toEqual(["etl"]);
    const byEnv = await project.flow(["list", "--json"], { env: { FLOW_PIPELINES: "other" } });
    expect(byEnv.exitCode).toBe(0);
    expect(dagIds(byEnv.stdout)).toEqual(["daily"]);
    const both = await project.flow(["list", "--json", "--pipelines", "dags"], {
      env: { FLOW_PIPELINES: "other" },
    });
    expect(dagIds(both.stdout)).toEqual(["etl"]);

    const run = await project.flow(["run", "daily", "--date", "2026-01-05"], {
      env: { FLOW_PIPELINES: join(project.dir, "other") },
    });
    expect(run.exitCode).toBe(0);
    expect(await listFiles(join(project.stateDir, "runs"))).toEqual([`daily/${RUN_ID}.json`]);
  });

  it("writes state where --state-dir or FLOW_HOME says, and reads it back from there", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL });
    const byFlag = await project.flow(["run", "etl", "--date", "2026-01-05", "--state-dir", "st1"]);
    expect(byFlag.exitCode).toBe(0);
    const byEnv = await project.flow(["run", "etl", "--date", "2026-01-06"], {
      env: { FLOW_HOME: join(project.dir, "st2") },
    });
    expect(byEnv.exitCode).toBe(0);
    const flagWins = await project.flow(
      ["--state-dir", "st3", "run", "etl", "--date", "2026-01-07"],
      {
        env: { FLOW_HOME: join(project.dir, "st2") },
      },
    );
    expect(flagWins.exitCode).toBe(0);

    expect(existsSync(project.stateDir)).toBe(false);
    const runs = async (dir: string): Promise<string[]> =>
      (await listFiles(join(project.dir, dir))).filter((file) => file.startsWith("runs/"));
    expect(await runs("st1")).toEqual([`runs/etl/${RUN_ID}.json`]);
    expect(await runs("st2")).toEqual(["runs/etl/manual__2026-01-06T00:00:00+00:00.json"]);
    expect(await runs("st3")).toEqual(["runs/etl/manual__2026-01-07T00:00:00+00:00.json"]);
    // The function task logs nothing, so only the bash task has a log file.
    expect(await listFiles(join(project.dir, "st1", "logs"))).toEqual([
      `etl/${RUN_ID}/extract.1.log`,
    ]);

    const lastRun = async (args: string[], env?: Record<string, string>): Promise<unknown> => {
      const result = await project.flow(["list", "--json", ...args], env ? { env } : {});
      expect(result.exitCode).toBe(0);
      return (JSON.parse(result.stdout) as { dags: { last_run: unknown }[] }).dags[0]!.last_run;
    };
    expect(await lastRun(["--state-dir", "st1"])).toMatchObject({ run_id: RUN_ID });
    expect(await lastRun([], { FLOW_HOME: "st2" })).toMatchObject({
      run_id: "manual__2026-01-06T00:00:00+00:00",
    });
    const logs = await project.flow(["logs", "etl", "extract", "--state-dir", "st1"]);
    expect(logs).toMatchObject({ exitCode: 0, stdout: "extracting" });
    // A log where earlier builds wrote it, <task>/<try>.log, is still found.
    const runLogs = join(project.dir, "st1", "logs", "etl", RUN_ID);
    await mkdir(join(runLogs, "extract"));
    await rename(join(runLogs, "extract.1.log"), join(runLogs, "extract", "1.log"));
    const legacy = await project.flow(["logs", "etl", "extract", "--state-dir", "st1"]);
    expect(legacy).toMatchObject({ exitCode: 0, stdout: "extracting" });
  });
});

describe("pipeline modules", () => {
  const JS = `import { dag, bash } from "flow";\nexport default dag({ id: "js_dag", tasks: [bash("t", "echo from js")] });\n`;
  const MJS = `import { dag, fn } from "flow";\nexport default dag({ id: "mjs_dag", tasks: [fn("t", async (ctx) => { ctx.log.info("from mjs"); return "mjs"; })] });\n`;
  const MTS = `import { dag, bash } from "flow";\nconst id: string = "mts_dag";\nexport default dag({ id, tasks: [bash("t", "echo from mts")] });\n`;

  it("loads and runs .js, .mjs, .mts and .ts pipelines alike", async () => {
    project = await makeProject({
      "package.json": `{ "type": "module" }\n`,
      "pipelines/a.js": JS,
      "pipelines/b.mjs": MJS,
      "pipelines/c.mts": MTS,
      "pipelines/etl.ts": ETL,
      "pipelines/notes.md": "not a pipeline\n",
      "pipelines/data.json": "{}\n",
    });
    const list = await project.flow(["list", "--json"]);
    expect(list.exitCode).toBe(0);
    const json = JSON.parse(list.stdout) as {
      dags: { dag_id: string; file: string }[];
      import_errors: unknown[];
    };
    expect(json.import_errors).toEqual([]);
    expect(json.dags.map((d) => [d.dag_id, d.file])).toEqual([
      ["etl", "pipelines/etl.ts"],
      ["js_dag", "pipelines/a.js"],
      ["mjs_dag", "pipelines/b.mjs"],
      ["mts_dag", "pipelines/c.mts"],
    ]);
    for (const dagId of ["js_dag", "mjs_dag", "mts_dag"]) {
      const run = await project.flow(["run", dagId, "--date", "2026-01-05"]);
      expect(run.exitCode, `${dagId}: ${run.stderr}`).toBe(0);
      expect(run.stderr).toBe("");
    }
    expect((await project.flow(["logs", "mjs_dag", "t"])).stdout).toMatch(/INFO from mjs/);
  });

  // Outside a package.json with "type": "module", Node reads a .js file as CommonJS; the loader
  // loads pipeline code as ES modules anyway (regression: it used to do so for .ts only).
  it("loads a .js pipeline in a project without a package.json", async () => {
    project = await makeProject({ "pipelines/a.js": JS });
    const list = await project.flow(["list", "--json"]);
    expect(JSON.parse(list.stdout)).toMatchObject({
      dags: [{ dag_id: "js_dag", file: "pipelines/a.js" }],
      import_errors: [],
    });
  });

  it("a JavaScript pipeline's bash settings of the wrong type are load errors, not runtime ones", async () => {
    project = await makeProject({
      "pipelines/o.mjs": `
import { dag, bash } from "flow";
export default dag({ id: "o", tasks: [
  bash("d", "pwd", { cwd: 42 }),
  bash("f", "echo $X", { env: "X=1" }),
  bash("c", ""),
] });
`,
    });
    const validate = await project.flow(["validate"]);
    expect(validate.exitCode).toBe(3);
    expect(validate.stderr.split("\n").filter(Boolean)).toEqual([
      'pipelines/o.mjs: dag "o": task "d": cwd must be a non-empty string (a folder), got 42',
      'pipelines/o.mjs: dag "o": task "f": env must be an object of strings ({ NAME: "value" }), got "X=1"',
      'pipelines/o.mjs: dag "o": task "c": the command is empty',
    ]);
    const run = await project.flow(["run", "o"]);
    expect(run.exitCode).toBe(3);
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("imports helpers from a sub-folder, which is not scanned for pipelines itself", async () => {
    project = await makeProject({
      "pipelines/lib/names.ts": `export const GREETING = "hello from lib";\nexport function taskIds(): string[] {\n  return ["one", "two"];\n}\n`,
      // Would be an import error if the sub-folder were scanned.
      "pipelines/lib/not-a-pipeline.ts": `throw new Error("sub-folders must not be scanned");\n`,
      "pipelines/helped.ts": `
import { dag, bash } from "flow";
import { GREETING, taskIds } from "./lib/names.js";
export default dag({ id: "helped", tasks: taskIds().map((id) => bash(id, \`echo "\${GREETING} \${id}"\`)) });
`,
    });
    const list = await project.flow(["list", "--json"]);
    expect(list.exitCode).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({
      dags: [{ dag_id: "helped", file: "pipelines/helped.ts", tasks: 2 }],
      import_errors: [],
    });
    const run = await project.flow(["run", "helped", "--date", "2026-01-05"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe("");
    expect((await project.flow(["logs", "helped", "two"])).stdout).toBe("hello from lib two");
  });
});

describe("flow validate --json", () => {
  it("prints the valid DAG ids and every import error, and exits 3", async () => {
    project = await makeProject({
      "pipelines/etl.ts": ETL,
      "pipelines/daily.ts": DAILY,
      "pipelines/throws.ts": THROWS,
      "pipelines/typo.ts": TYPO,
    });
    const result = await project.flow(["validate", "--json"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      dags: ["daily", "etl"],
      import_errors: [
        {
          file: "pipelines/throws.ts",
          dag_id: null,
          messages: ["pipelines/throws.ts:1: Error: no database configured"],
        },
        {
          file: "pipelines/typo.ts",
          dag_id: "typo",
          messages: [
            'pipelines/typo.ts: dag "typo": task "load": depends on unknown task "extrct" (did you mean "extract"?)',
          ],
        },
      ],
    });
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it("exits 0 with no import errors", async () => {
    project = await makeProject({ "pipelines/etl.ts": ETL, "pipelines/daily.ts": DAILY });
    const result = await project.flow(["validate", "--json"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ dags: ["daily", "etl"], import_errors: [] });
  });
});
