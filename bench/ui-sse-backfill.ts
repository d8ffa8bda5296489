// Does watching cost a backfill? (issue 11: 20 SSE clients during a 365-run backfill cost it no
// more than 10%.) A year of daily runs of a 10-task function DAG, timed alone and with the built
// `flow ui` serving 20 open event streams on the same state dir, interleaved; prints both medians.
// Usage: node --import tsx bench/ui-sse-backfill.ts [reps] [days]
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import { flowPipeline } from "./lib/generate.js";
import { FLOW_BIN, FLOW_ENV, makeBenchProject } from "./lib/project.js";
import type { Shape } from "./lib/shapes.js";
import { median } from "./lib/stats.js";

const REPS = Number(process.argv[2] ?? 3);
const DAYS = Number(process.argv[3] ?? 365);
const CLIENTS = 20;

// extract -> 8 parallel steps -> load, as W5.
const tenTasks: Shape = {
  name: "daily",
  upstream: [[], ...Array.from({ length: 8 }, () => [0]), [1, 2, 3, 4, 5, 6, 7, 8]],
  parallelism: 32,
};

const project = makeBenchProject("ui-sse");
const env = { ...process.env, ...FLOW_ENV };

// Runs flow to its end; resolves with the milliseconds it took.
function flow(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [FLOW_BIN, ...args], {
    cwd: project.dir,
    env,
    stdio: "ignore",
  });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`flow ${args.join(" ")}: exit ${code}`)),
    ),
  );
}

// `flow ui` on the state dir with CLIENTS open streams that count the run events they receive.
async function startWatchers(
  stateDir: string,
): Promise<{ server: ChildProcess; events: () => number; close(): Promise<void> }> {
  const server = spawn(process.execPath, [FLOW_BIN, "ui", "--port", "0", "--state-dir", stateDir], {
    cwd: project.dir,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /flow ui: http:\/\/[^:]+:(\d+)\//.exec(out);
      if (match) resolve(Number(match[1]));
    });
    server.once("exit", (code) => reject(new Error(`flow ui exited ${code}`)));
  });
  let received = 0;
  const streams = await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<IncomingMessage>((resolve) =>
          request({ host: "127.0.0.1", port, path: "/api/events" }, (res) => {
            res.on(
              "data",
              (chunk: Buffer) => (received += chunk.toString().split("event: run").length - 1),
            );
            resolve(res);
          }).end(),
        ),
    ),
  );
  return {
    server,
    events: () => received,
    async close() {
      for (const stream of streams) stream.destroy();
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
    },
  };
}

// CPU milliseconds a process used so far (user + system, from /proc; 0 where there is none).
// The kernel counts it in 10 ms ticks, so a short run can read 0.
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

// One backfill into a fresh state dir that has the DAG's folder already (one earlier run).
async function backfill(
  watched: boolean,
): Promise<{ ms: number; events: number; serverCpuMs: number }> {
  const stateDir = project.freshStateDir();
  await flow(["backfill", "daily", "--start", "2024-12-31", "--state-dir", stateDir]);
  const watchers = watched ? await startWatchers(stateDir) : undefined;
  try {
    const end = new Date(Date.UTC(2025, 0, DAYS)).toISOString().slice(0, 10);
    const cpuBefore = cpuMs(watchers?.server.pid);
    const ms = await flow([
      "backfill",
      "daily",
      "--start",
      "2025-01-01",
      "--end",
      end,
      "--state-dir",
      stateDir,
    ]);
    // Let the last events arrive, so the count says the streams kept up.
    await new Promise((resolve) => setTimeout(resolve, watched ? 1500 : 0));
    const serverCpuMs = cpuMs(watchers?.server.pid) - cpuBefore;
    return { ms, events: watchers?.events() ?? 0, serverCpuMs };
  } finally {
    await watchers?.close();
  }
}

try {
  project.write(
    "pipelines/daily.ts",
    flowPipeline(tenTasks, {
      dagId: "daily",
      kind: "function",
      dagExtras: `schedule: "@daily", start: "2024-01-01", catchup: false`,
    }),
  );
  await backfill(false); // warm-up: the compile cache
  const alone: number[] = [];
  const watched: number[] = [];
  let events = 0;
  const serverCpu: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    for (const mode of rep % 2 === 0 ? [false, true] : [true, false]) {
      const result = await backfill(mode);
      (mode ? watched : alone).push(result.ms);
      if (mode) events = result.events;
      if (mode) serverCpu.push(result.serverCpuMs);
    }
  }
  console.log(`backfill of ${DAYS} daily runs x 10 function tasks, ${REPS} tries each`);
  console.log(`  alone: median ${median(alone).toFixed(0)} ms`);
  console.log(`  with ${CLIENTS} SSE clients: median ${median(watched).toFixed(0)} ms`);
  console.log(`  run events received by the clients (last try): ${events}`);
  console.log(`  flow ui CPU time during a backfill: median ${median(serverCpu).toFixed(0)} ms`);
  console.log(`  ratio: ${(median(watched) / median(alone)).toFixed(3)}`);
} finally {
  project.cleanup();
}
