import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

// Pipelines are compiled with esbuild into one ES module each and kept in a cache folder
// (FLOW_CACHE_DIR; the harness gives every project its own): these tests run the real binary
// and look at what the cache holds and what a warm start imports.

let project: Project | undefined;
const extraDirs: string[] = [];

afterEach(async () => {
  await project?.cleanup();
  project = undefined;
  for (const dir of extraDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const pipeline = (id: string): string =>
  `import { dag, bash } from "flow";\nexport default dag({ id: "${id}", tasks: [bash("t", "true")] });\n`;

async function listedIds(target: Project, env: Record<string, string> = {}): Promise<string[]> {
  const result = await target.flow(["list", "--json"], { env });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return (JSON.parse(result.stdout) as { dags: { dag_id: string }[] }).dags.map((d) => d.dag_id);
}

async function cachedBundles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".mjs"));
}

describe("the compile cache", () => {
  it("imports the stored bundle while the pipeline is unchanged, and compiles an edit", async () => {
    project = await makeProject({ "pipelines/etl.ts": pipeline("etl") });
    const cache = join(project.dir, ".flow-cache");
    expect(await listedIds(project)).toEqual(["etl"]);
    const [bundle] = await cachedBundles(cache);
    expect(bundle).toMatch(/^[0-9a-f]{40}\.mjs$/);

    // Proof that a warm start reads the cache: a doctored bundle is what gets imported.
    const stored = await readFile(join(cache, bundle!), "utf8");
    await writeFile(join(cache, bundle!), stored.replace('id: "etl"', 'id: "from_cache"'));
    expect(await listedIds(project)).toEqual(["from_cache"]);

    // An edit changes the file's hash: compiled again, the old bundle removed.
    await project.write("pipelines/etl.ts", pipeline("etl_v2"));
    expect(await listedIds(project)).toEqual(["etl_v2"]);
    const after = await cachedBundles(cache);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(bundle);
  });

  it("prunes, once a day when it compiles, what no pipeline can use any more", async () => {
    project = await makeProject({
      "pipelines/a.ts": pipeline("a"),
      "pipelines/b.ts": pipeline("b"),
    });
    const cache = join(project.dir, ".flow-cache");
    expect(await listedIds(project)).toEqual(["a", "b"]);
    const manifests = async (): Promise<string[]> =>
      (await readdir(cache)).filter((name) => name.endsWith(".json"));
    expect(await manifests()).toHaveLength(2);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    const oldOrphan = `${"a".repeat(40)}.mjs`;
    const newOrphan = `${"b".repeat(40)}.mjs`;
    await writeFile(join(cache, oldOrphan), "export {};\n");
    await utimes(join(cache, oldOrphan), twoDaysAgo, twoDaysAgo);
    await writeFile(join(cache, newOrphan), "export {};\n");
    await utimes(join(cache, ".last-prune"), twoDaysAgo, twoDaysAgo);
    await rm(join(project.dir, "pipelines/b.ts"));

    // A warm start never prunes; a compile (a.ts edited) does.
    expect(await listedIds(project)).toEqual(["a"]);
    expect(await manifests()).toHaveLength(2);
    await project.write("pipelines/a.ts", pipeline("a2"));
    expect(await listedIds(project)).toEqual(["a2"]);
    expect(await manifests()).toHaveLength(1);
    const bundles = await cachedBundles(cache);
    expect(bundles).toHaveLength(2);
    expect(bundles).toContain(newOrphan);
    expect(bundles).not.toContain(oldOrphan);
  });

  it("compiles again when a helper in a sub-folder changes", async () => {
    project = await makeProject({
      "pipelines/lib/ids.ts": `export const ID: string = "first";\n`,
      "pipelines/helped.ts": `import { dag, bash } from "flow";\nimport { ID } from "./lib/ids.js";\nexport default dag({ id: ID, tasks: [bash("t", "true")] });\n`,
    });
    expect(await listedIds(project)).toEqual(["first"]);
    await project.write("pipelines/lib/ids.ts", `export const ID: string = "second";\n`);
    expect(await listedIds(project)).toEqual(["second"]);
  });

  it("keeps import.meta.url, dirname and filename naming the pipeline's own files", async () => {
    project = await makeProject({
      "pipelines/data/ids.txt": "alpha\nbeta\n",
      "pipelines/lib/where.ts": `export const here: string = import.meta.filename;\nexport const dir: string = import.meta.dirname;\n`,
      "pipelines/meta.ts": `import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { dag, bash } from "flow";
import { dir, here } from "./lib/where.js";

const ids = readFileSync(new URL("data/ids.txt", import.meta.url), "utf8").trim().split("\\n");
export default dag({
  id: \`\${basename(dir)}_\${basename(here, ".ts")}\`,
  tasks: ids.map((id) => bash(id, "true")),
});
`,
    });
    const result = await project.flow(["list", "--json"]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).dags).toMatchObject([{ dag_id: "lib_where", tasks: 2 }]);
  });

  it("resolves packages from the project's node_modules with the cache folder elsewhere", async () => {
    const cache = await mkdtemp(join(tmpdir(), "flow-cache-"));
    extraDirs.push(cache);
    project = await makeProject({
      "node_modules/greeting/package.json": JSON.stringify({
        name: "greeting",
        exports: { import: "./index.mjs", require: "./index.cjs" },
      }),
      "node_modules/greeting/index.mjs": `export const word = "esm";\n`,
      "node_modules/greeting/index.cjs": `exports.word = "cjs";\n`,
      "pipelines/greet.ts": `import { dag, bash } from "flow";\nimport { word } from "greeting";\nexport default dag({ id: \`greet_\${word}\`, tasks: [bash("t", "true")] });\n`,
    });
    expect(await listedIds(project, { FLOW_CACHE_DIR: cache })).toEqual(["greet_esm"]);
    expect(await cachedBundles(cache)).toHaveLength(1);
    expect(await listedIds(project, { FLOW_CACHE_DIR: cache })).toEqual(["greet_esm"]);
  });

  it("bundles a package built on flow, so its tasks and the pipeline's share one API", async () => {
    project = await makeProject({
      "node_modules/team-tasks/package.json": JSON.stringify({
        name: "team-tasks",
        type: "module",
        exports: "./index.js",
        peerDependencies: { flow: "*" },
      }),
      "node_modules/team-tasks/index.js": `import { bash } from "flow";\nexport const notify = () => bash("notify", "echo notified");\n`,
      "pipelines/uses_team.ts": `import { dag, bash, chain } from "flow";\nimport { notify } from "team-tasks";\nconst load = bash("load", "true");\nconst done = notify();\nchain(load, done);\nexport default dag({ id: "uses_team", tasks: [load, done] });\n`,
    });
    const run = await project.flow(["run", "uses_team", "--date", "2026-01-05"]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect((await project.flow(["logs", "uses_team", "notify"])).stdout).toBe("notified");
  });

  it("works without a cache: FLOW_CACHE_DIR=off, or a folder that cannot be written", async () => {
    project = await makeProject({ "pipelines/etl.ts": pipeline("etl") });
    expect(await listedIds(project, { FLOW_CACHE_DIR: "off" })).toEqual(["etl"]);
    await expect(readdir(join(project.dir, ".flow-cache"))).rejects.toThrow(/ENOENT/);

    // A path under a regular file can never be created, even by root.
    await writeFile(join(project.dir, "not-a-dir"), "");
    const blocked = join(project.dir, "not-a-dir", "cache");
    expect(await listedIds(project, { FLOW_CACHE_DIR: blocked })).toEqual(["etl"]);
    const run = await project.flow(["run", "etl", "--date", "2026-01-05"], {
      env: { FLOW_CACHE_DIR: blocked },
    });
    expect(run.exitCode).toBe(0);
  });

  it("names the helper's file and line for a compile error in a helper", async () => {
    project = await makeProject({
      "pipelines/lib/broken.ts": `export const ok = 1;\nexport const bad = (;\n`,
      "pipelines/uses.ts": `import { dag, bash } from "flow";\nimport { ok } from "./lib/broken.js";\nexport default dag({ id: "uses", tasks: [bash("t", "true")], description: String(ok) });\n`,
      "pipelines/missing.ts": `import { dag } from "flow";\nimport { nothing } from "./lib/nowhere.js";\nexport default dag({ id: "missing", tasks: nothing });\n`,
    });
    const result = await project.flow(["validate"]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout + result.stderr).toMatch(/pipelines\/lib\/broken\.ts:2:\d+: /);
    expect(result.stdout + result.stderr).toMatch(
      /pipelines\/missing\.ts:2:\d+: Could not resolve "\.\/lib\/nowhere\.js"/,
    );
  });

  it("maps a runtime error back to the TypeScript line through the source map", async () => {
    project = await makeProject({
      "pipelines/throws.ts": `import { dag, fn } from "flow";

interface Settings {
  readonly url: string;
}
const settings: Settings | undefined = undefined;
if (!settings) throw new Error("no settings");
export default dag({ id: "throws", tasks: [fn("t", () => undefined)] });
`,
      "pipelines/task_fails.ts": `import { dag, fn } from "flow";

type Row = { readonly id: number };
function check(rows: readonly Row[]): void {
  if (rows.length === 0) throw new Error("no rows");
}
export default dag({ id: "task_fails", tasks: [fn("t", () => check([]))] });
`,
    });
    const list = await project.flow(["list"]);
    expect(list.stdout).toContain("pipelines/throws.ts:7: Error: no settings");
    const uncached = await project.flow(["list"], { env: { FLOW_CACHE_DIR: "off" } });
    expect(uncached.stdout).toContain("pipelines/throws.ts:7: Error: no settings");
    const run = await project.flow(["run", "task_fails", "--date", "2026-01-05"]);
    expect(run.exitCode).toBe(1);
    const log = await project.flow(["logs", "task_fails", "t"]);
    expect(log.stdout).toMatch(/pipelines\/task_fails\.ts:5:\d+/);
  });

  it("compiles again when the stored bundle was deleted", async () => {
    project = await makeProject({ "pipelines/etl.ts": pipeline("etl") });
    const cache = join(project.dir, ".flow-cache");
    expect(await listedIds(project)).toEqual(["etl"]);
    const [bundle] = await cachedBundles(cache);
    await rm(join(cache, bundle!));
    expect(await listedIds(project)).toEqual(["etl"]);
    expect(await cachedBundles(cache)).toHaveLength(1);
  });

  it("runs a DAG importing only its own file while nothing changed (the DAG index)", async () => {
    // b.ts and its helper note each import of b.ts in imports.txt.
    const noted = (id: string): string =>
      `import { appendFileSync } from "node:fs";\nimport { dag, bash } from "flow";\nimport { SUFFIX } from "./lib/suffix.js";\nappendFileSync("imports.txt", "${id}\\n");\nexport default dag({ id: "${id}" + SUFFIX, tasks: [bash("t", "true")] });\n`;
    project = await makeProject({
      "pipelines/a.ts": pipeline("a"),
      "pipelines/b.ts": noted("b"),
      "pipelines/lib/suffix.ts": 'export const SUFFIX = "";\n',
    });
    // The index is written only from files that had not changed just before the load.
    const settle = async (): Promise<void> => {
      const past = new Date(Date.now() - 60_000);
      for (const file of ["a.ts", "b.ts", "c.ts", "lib/suffix.ts"]) {
        await utimes(join(project!.dir, "pipelines", file), past, past).catch(() => undefined);
      }
    };
    const imports = async (): Promise<number> =>
      (await readFile(join(project!.dir, "imports.txt"), "utf8")).split("\n").length - 1;
    const run = async (id: string): Promise<string> => {
      const result = await project!.flow(["run", id]);
      expect(result.exitCode).toBe(0);
      return result.stderr;
    };
    await run("a"); // files just written: every file imported, no index written
    await run("a");
    expect(await imports()).toBe(2);
    await settle();
    await run("a"); // imports every file, then writes the index
    expect(await imports()).toBe(3);
    await run("a");
    await run("a");
    expect(await imports()).toBe(3); // b.ts not imported
    await run("b");
    expect(await imports()).toBe(4);

    // A changed helper of b.ts: every file is imported again, and the new id is found.
    await project.write("pipelines/lib/suffix.ts", 'export const SUFFIX = "_v2";\n');
    await settle();
    await run("a");
    expect(await imports()).toBe(5);
    await run("a");
    expect(await imports()).toBe(5);
    await run("b_v2");
    expect(await imports()).toBe(6);

    // A new pipeline file, even a broken one: every file is imported, and the warning shows.
    await project.write("pipelines/c.ts", "export default oops(\n");
    await settle();
    expect(await run("a")).toMatch(/import error: pipelines\/c\.ts/);
    expect(await run("a")).toMatch(/import error: pipelines\/c\.ts/);
    expect(await imports()).toBe(8);
  });

  it("keeps one DAG index per pipelines folder: two projects on one cache do not undo each other", async () => {
    const cache = await mkdtemp(join(tmpdir(), "flow-shared-cache-"));
    extraDirs.push(cache);
    const env = { FLOW_CACHE_DIR: cache };
    const note = (id: string): string =>
      `import { appendFileSync } from "node:fs";\nimport { dag, bash } from "flow";\nappendFileSync("imports.txt", "${id}\\n");\nexport default dag({ id: "${id}", tasks: [bash("t", "true")] });\n`;
    project = await makeProject({ "pipelines/a.ts": pipeline("a"), "pipelines/b.ts": note("b") });
    const other = await makeProject({ "pipelines/x.ts": pipeline("x") });
    try {
      const past = new Date(Date.now() - 60_000);
      for (const [target, file] of [
        [project, "a.ts"],
        [project, "b.ts"],
        [other, "x.ts"],
      ] as const)
        await utimes(join(target.dir, "pipelines", file), past, past);
      expect((await project.flow(["run", "a"], { env })).exitCode).toBe(0); // writes its index
      expect((await other.flow(["list"], { env })).exitCode).toBe(0); // writes another one
      expect((await project.flow(["run", "a"], { env })).exitCode).toBe(0);
      expect(await readFile(join(project.dir, "imports.txt"), "utf8")).toBe("b\n");
      expect((await readdir(cache)).filter((name) => name.endsWith(".index"))).toHaveLength(2);
    } finally {
      await other.cleanup();
    }
  });
});
