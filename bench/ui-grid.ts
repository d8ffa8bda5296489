// Does the web view's grid page cost the same with 10,000 runs stored as with 10? (issue 11)
// Writes two DAGs of 10 tasks, "big" with 10,000 finished runs and "small" with 10, starts the
// built `flow ui --port 0` on them, and GETs the first grid page (25 runs) of each, interleaved,
// printing both medians.
// Usage: node --import tsx bench/ui-grid.ts [iterations]
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FLOW_BIN } from "./lib/project.js";
import { median } from "./lib/stats.js";

const BIG = 10_000;
const SMALL = 10;
const TASKS = 10;
const ITERATIONS = Number(process.argv[2] ?? 30);

// A pipeline of `TASKS` bash tasks in a chain.
function pipeline(dagId: string): string {
  const tasks = Array.from({ length: TASKS }, (_, i) => `t${i}`);
  const lines = tasks.map(
    (id, i) => `const ${id} = bash("${id}", "true"${i > 0 ? `, { upstream: [t${i - 1}] }` : ""});`,
  );
  return `import { dag, bash } from "flow";\n${lines.join("\n")}\nexport default dag({ id: "${dagId}", schedule: "@hourly", start: "2000-01-01", tasks: [${tasks.join(", ")}] });\n`;
}

// `count` finished runs written straight to disk, as the store lays them out (only setup).
function writeRuns(stateDir: string, dagId: string, count: number): void {
  const dir = join(stateDir, "runs", dagId);
  mkdirSync(dir, { recursive: true });
  for (let n = 0; n < count; n++) {
    const date = new Date(Date.UTC(2000, 0, 1) + n * 3_600_000).toISOString();
    const tasks = Object.fromEntries(
      Array.from({ length: TASKS }, (_, i) => [
        `t${i}`,
        {
          task_id: `t${i}`,
          state: "success",
          try_number: 1,
          max_tries: 1,
          start: date,
          end: date,
          duration_ms: 1000,
          exit_code: 0,
          reason: null,
          pid: null,
          next_try_at: null,
          log_path: null,
        },
      ]),
    );
    const run = {
      dag_id: dagId,
      run_id: `scheduled__${date.replace(".000Z", "+00:00")}`,
      run_type: "scheduled",
      logical_date: date,
      data_interval_start: date,
      data_interval_end: date,
      state: "success",
      queued_at: date,
      start: date,
      end: date,
      reason: null,
      params: {},
      owner: null,
      tasks,
    };
    writeFileSync(join(dir, `${run.run_id}.json`), JSON.stringify({ version: 1, seq: 1, run }));
  }
}

// Milliseconds for one GET of the first grid page.
async function getGrid(base: string, dagId: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/api/dags/${dagId}/grid`);
  const body = (await response.json()) as { runs?: unknown[] };
  if (response.status !== 200 || body.runs?.length !== Math.min(25, dagId === "big" ? BIG : SMALL))
    throw new Error(
      `GET grid of ${dagId}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`,
    );
  return performance.now() - started;
}

const dir = await mkdtemp(join(tmpdir(), "flow-bench-ui-"));
const server = spawn(process.execPath, [FLOW_BIN, "ui", "--port", "0"], {
  cwd: dir,
  env: { ...process.env, FLOW_PIPELINES: "pipelines", FLOW_HOME: "state", FLOW_CACHE_DIR: "cache" },
  stdio: ["ignore", "pipe", "inherit"],
});
try {
  mkdirSync(join(dir, "pipelines"));
  for (const dagId of ["big", "small"])
    writeFileSync(join(dir, "pipelines", `${dagId}.ts`), pipeline(dagId));
  const stateDir = join(dir, "state");
  writeFileSync(join((mkdirSync(stateDir), stateDir), "flow-state.json"), '{"version":1}\n');
  writeRuns(stateDir, "big", BIG);
  writeRuns(stateDir, "small", SMALL);
  const url = await new Promise<URL>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /flow ui: (\S+)\n/.exec(out);
      if (match) resolve(new URL(match[1]!));
    });
    server.once("exit", (code) => reject(new Error(`flow ui exited ${code}`)));
  });
  const base = url.origin;
  // Warm up both (the pipelines' compile cache, the first folder listings).
  await getGrid(base, "small");
  await getGrid(base, "big");
  const small: number[] = [];
  const big: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const order = i % 2 === 0 ? (["small", "big"] as const) : (["big", "small"] as const);
    for (const dagId of order) (dagId === "big" ? big : small).push(await getGrid(base, dagId));
  }
  console.log(`GET /api/dags/<dag>/grid (25 runs of 10 tasks), ${ITERATIONS} tries each`);
  console.log(`  ${SMALL} runs stored: median ${median(small).toFixed(2)} ms`);
  console.log(`  ${BIG} runs stored: median ${median(big).toFixed(2)} ms`);
  console.log(`  ratio: ${(median(big) / median(small)).toFixed(2)}`);
} finally {
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  await rm(dir, { recursive: true, force: true });
}
