// W12 (issue 12): the queue executor. The W1-W3 shapes (bash no-ops, smaller) through
// `flow run --executor queue` on 1, 2 and 4 `flow worker`s and through `local` in the same run;
// the round trip of one try through the queue (a chain of no-op function tasks, per hop); the
// throughput of no-op function tasks on 4 workers against local; and what Redis, the driver and
// the workers spend per task, for the scaling model in bench/RESULTS.md. It starts its own
// redis-server and workers and stops them, by pid, whatever happens.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  redisInfo,
  redisMissing,
  sleepSync,
  startDetached,
  startRedisServer,
  stopProcess,
  treeCpuMs,
  waitUntil,
  type BenchRedis,
} from "../lib/background.js";
import { interleave, type BenchContext, type Runner } from "../lib/context.js";
import { flowPipeline } from "../lib/generate.js";
import { FLOW_BIN, FLOW_ENV, REPO, makeBenchProject, type BenchProject } from "../lib/project.js";
import type { Row, WorkloadResult } from "../lib/report.js";
import { chainOf, layered, wide, type Shape } from "../lib/shapes.js";
import { formatNumber, median } from "../lib/stats.js";

/** Worker processes per queue: the driver picks 1, 2 or 4 workers by the queue it names. */
const FLEETS = [1, 2, 4] as const;
/** Every worker's --concurrency (flow's default): its tries at once and function processes. */
const CONCURRENCY = 4;
/** Tries in flight for the throughput rows: the 4 workers' 16 slots. */
const THROUGHPUT_PARALLELISM = 16;

/**
 * W12's entry for bench/run.ts. The smoke test (test/bench/bench-smoke.test.ts) pins the ids of
 * an unselected `--quick` run to W1-W11, so W12 joins a quick run only when named (`--only W12`);
 * a full run always has it.
 */
export function queueWorkloads(
  argv: readonly string[] = process.argv.slice(2),
): { id: string; run: (context: BenchContext) => WorkloadResult }[] {
  const quick = argv.includes("--quick") || ["1", "true"].includes(process.env.BENCH_QUICK ?? "");
  const only = argv.indexOf("--only");
  const named = only >= 0 && (argv[only + 1] ?? "").toUpperCase().split(",").includes("W12");
  return quick && !named ? [] : [{ id: "W12", run: benchQueue }];
}

interface TaskTimes {
  readonly start: number;
  readonly end: number;
}

interface FlowRun {
  /** Wall time of the process. */
  readonly wall: number;
  /** The run's own start to end, as flow records it (start-up left out). */
  readonly span: number;
  /** User + system CPU of the flow process (the driver), when GNU time is here. */
  readonly cpuMs: number | undefined;
  readonly tasks: ReadonlyMap<string, TaskTimes>;
}

const GNU_TIME = "/usr/bin/time";

/** `flow run <dagId> --json` in the project, its wall time, the run's times and its CPU. */
function flowRun(project: BenchProject, dagId: string, args: readonly string[]): FlowRun {
  const flowArgs = [FLOW_BIN, "run", dagId, "--state-dir", project.freshStateDir(), "--json"];
  const cpuFile = join(project.dir, "cpu.txt");
  const timed = existsSync(GNU_TIME);
  const argv = timed
    ? [GNU_TIME, "-f", "%U %S", "-o", cpuFile, process.execPath, ...flowArgs, ...args]
    : [process.execPath, ...flowArgs, ...args];
  const started = performance.now();
  const result = spawnSync(argv[0]!, argv.slice(1), {
    cwd: project.dir,
    env: { ...process.env, ...FLOW_ENV },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const wall = performance.now() - started;
  if (result.error) throw result.error;
  // Killed by a signal, or stopped by one (flow exits 130 after Ctrl-C, 143 after SIGTERM).
  if (result.signal || result.status === 130 || result.status === 143)
    throw new Interrupted(`flow run ${dagId} was interrupted (${result.signal ?? result.status})`);
  let parsed: {
    runs: {
      state: string;
      start: string;
      end: string;
      tasks: Record<
        string,
        { state: string; start: string | null; end: string | null; reason: string | null }
      >;
    }[];
  };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    const tail = (result.stderr || result.stdout).trim().split("\n").slice(-5).join(" / ");
    throw new Error(`flow run ${dagId} ${args.join(" ")} exited ${result.status}: ${tail}`);
  }
  const run = parsed.runs[0]!;
  if (run.state !== "success" || result.status !== 0) {
    const failed = Object.entries(run.tasks)
      .filter(([, task]) => task.state !== "success")
      .slice(0, 3)
      .map(([id, task]) => `${id} ${task.state}: ${task.reason ?? ""}`);
    const stderr = result.stderr.trim().split("\n").slice(-3).join(" / ");
    throw new Error(
      `flow run ${dagId} ${args.join(" ")} exited ${result.status}, run ${run.state}: ${failed.join("; ")} ${stderr}`,
    );
  }
  const tasks = new Map<string, TaskTimes>();
  for (const [id, task] of Object.entries(run.tasks))
    tasks.set(id, { start: Date.parse(task.start ?? ""), end: Date.parse(task.end ?? "") });
  let cpuMs: number | undefined;
  if (timed) {
    const [user, system] = readFileSync(cpuFile, "utf8").trim().split("\n").pop()!.split(" ");
    cpuMs = (Number(user) + Number(system)) * 1000;
  }
  return { wall, span: Date.parse(run.end) - Date.parse(run.start), cpuMs, tasks };
}

/** The value at quantile `q` (nearest rank) of `values`. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The redis-server, the workers (by queue) and the flags that put a driver on a queue. */
interface Fleet {
  readonly redis: BenchRedis;
  readonly workers: ReadonlyMap<number, readonly number[]>;
  queueArgs(workers: number): string[];
  /** CPU ms used so far by the workers of every queue and their function-task processes. */
  workerCpuMs(): number;
  stop(): void;
}

function startFleet(project: BenchProject, context: BenchContext): Fleet {
  const redis = startRedisServer(project.dir);
  const workers = new Map<number, number[]>();
  const all: number[] = [];
  const stop = (): void => {
    // SIGTERM first (a worker stops its function processes), then SIGKILL after 10 s.
    for (const pid of all) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // gone already
      }
    }
    for (const pid of all) stopProcess(pid, 10_000);
    redis.stop();
  };
  try {
    for (const count of FLEETS) {
      const pids: number[] = [];
      for (let i = 0; i < count; i++) {
        const logFile = join(project.dir, `worker-q${count}-${i}.log`);
        const pid = startDetached(
          process.execPath,
          [
            FLOW_BIN,
            "worker",
            "--redis",
            redis.url,
            "--queue",
            `q${count}`,
            "--concurrency",
            String(CONCURRENCY),
          ],
          { cwd: project.dir, env: FLOW_ENV, logFile },
        );
        pids.push(pid);
        all.push(pid);
      }
      workers.set(count, pids);
    }
    for (const count of FLEETS)
      workers.get(count)!.forEach((_, i) => {
        const logFile = join(project.dir, `worker-q${count}-${i}.log`);
        const read = (): string => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
        waitUntil(
          () => read().includes(" started: queue "),
          30_000,
          () => `flow worker on q${count}: ${read().slice(-300)}`,
        );
      });
    context.log(`w12: redis-server on port ${redis.port}, ${all.length} workers started`);
  } catch (error) {
    stop();
    throw error;
  }
  return {
    redis,
    workers,
    queueArgs: (count) => ["--executor", "queue", "--redis", redis.url, "--queue", `q${count}`],
    workerCpuMs: () => all.reduce((sum, pid) => sum + treeCpuMs(pid), 0),
    stop,
  };
}

interface Sizes {
  readonly shapes: readonly { readonly label: string; readonly shape: Shape }[];
  readonly roundTrip: number;
  readonly throughput: number;
  readonly monitor: number;
}

function sizesFor(quick: boolean): Sizes {
  const [w1, w2, layers, width] = quick ? [10, 10, 3, 3] : [100, 40, 8, 10];
  return {
    shapes: [
      { label: `W1 wide ${w1}, -p 2`, shape: wide(w1, 2) },
      { label: `W2 chain ${w2}, per hop`, shape: chainOf(w2) },
      { label: `W3 layers ${layers}x${width}, -p 2`, shape: layered(layers, width, 2) },
    ],
    roundTrip: quick ? 10 : 100,
    throughput: quick ? 20 : 400,
    monitor: quick ? 10 : 50,
  };
}

/** A run killed by a signal (Ctrl-C reaches the foreground flow run): never run again. */
class Interrupted extends Error {}

/** Runs that failed and were run again: every one is named in the notes. */
const failures: string[] = [];
/** A run through the queue is tried this often before the workload fails. */
const ATTEMPTS = 4;

/** A run through the queue, run again (and noted) when it fails, up to ATTEMPTS in all. */
function retriedRun(run: () => FlowRun): FlowRun {
  for (let attempt = 1; ; attempt++) {
    try {
      return run();
    } catch (error) {
      if (error instanceof Interrupted || attempt >= ATTEMPTS) throw error;
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
}

/** The runners of one DAG: local, then through the queue on each fleet. */
function executorRunners(
  project: BenchProject,
  fleet: Fleet,
  dagId: string,
  parallelism: number,
  fleets: readonly number[],
): Runner<FlowRun>[] {
  const base = ["--parallelism", String(parallelism)];
  return [
    { name: "local", run: () => flowRun(project, dagId, base) },
    ...fleets.map((count) => ({
      name: `queue, ${count} worker${count > 1 ? "s" : ""}`,
      run: () => retriedRun(() => flowRun(project, dagId, [...base, ...fleet.queueArgs(count)])),
    })),
  ];
}

/** Redis counters (INFO commandstats and cpu) between two snapshots. */
function redisDelta(before: Map<string, number>, after: Map<string, number>) {
  const calls = new Map<string, number>();
  for (const [key, value] of after)
    if (key.endsWith(".calls")) {
      const delta = value - (before.get(key) ?? 0);
      if (delta > 0) calls.set(key.slice(0, -".calls".length), delta);
    }
  const cpu = (map: Map<string, number>): number =>
    ((map.get("used_cpu_user") ?? 0) + (map.get("used_cpu_sys") ?? 0)) * 1000;
  const total = [...calls.values()].reduce((sum, n) => sum + n, 0);
  return { calls, total, cpuMs: cpu(after) - cpu(before) };
}

function redisSnapshot(redis: BenchRedis): Map<string, number> {
  return new Map([...redisInfo(redis, "commandstats"), ...redisInfo(redis, "cpu")]);
}

/** Script SHA1 -> BullMQ script name, for MONITOR's EVALSHA lines. */
function bullmqScripts(): Map<string, string> {
  const dir = join(REPO, "node_modules", "bullmq", "dist", "esm", "scripts");
  if (!existsSync(dir)) return new Map();
  const script = `
    import { readdirSync } from "node:fs"; import { createHash } from "node:crypto";
    const dir = ${JSON.stringify(dir + "/")}; const out = {};
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".js") && f !== "index.js")) {
      const m = await import(dir + f);
      for (const v of Object.values(m)) if (v && v.content) out[createHash("sha1").update(v.content).digest("hex")] = v.name;
    }
    process.stdout.write(JSON.stringify(out));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  try {
    return new Map(Object.entries(JSON.parse(result.stdout) as Record<string, string>));
  } catch {
    return new Map();
  }
}

/**
 * One unmeasured run of `tasks` no-op function tasks on the 1-worker queue under redis-cli
 * MONITOR: which commands the driver and the worker send per task, and the calls made inside
 * BullMQ's Lua scripts. Connections open before the run are the workers' (and MONITOR's own);
 * the others are the driver's.
 */
function monitorPass(project: BenchProject, fleet: Fleet, dagId: string, tasks: number): string[] {
  const { redis } = fleet;
  const workerPort = new Set<string>();
  for (const line of redis.cli("client", "list").split("\n")) {
    const addr = /addr=(\S+)/.exec(line)?.[1];
    if (addr) workerPort.add(addr);
  }
  const logFile = join(project.dir, "monitor.log");
  const monitor = startDetached("redis-cli", ["-p", String(redis.port), "monitor"], {
    cwd: project.dir,
    logFile,
  });
  try {
    sleepSync(300);
    flowRun(project, dagId, ["--parallelism", "4", ...fleet.queueArgs(1)]);
    sleepSync(300);
  } finally {
    stopProcess(monitor, 2_000);
  }
  const scripts = bullmqScripts();
  const counts = { driver: new Map<string, number>(), worker: new Map<string, number>() };
  let lua = 0;
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"(?: "([^"]*)")?/.exec(line);
    if (!match) continue;
    const [, client, command, first] = match;
    if (client === "lua") {
      lua++;
      continue;
    }
    let name = command!.toLowerCase();
    if (name === "evalsha") name = scripts.get(first ?? "") ?? `evalsha ${first?.slice(0, 8)}`;
    // The driver's BullMQ connections are new ones; a worker's are all open before the run.
    const role = workerPort.has(client!) ? counts.worker : counts.driver;
    role.set(name, (role.get(name) ?? 0) + 1);
  }
  const describe = (map: Map<string, number>): string => {
    const total = [...map.values()].reduce((sum, n) => sum + n, 0);
    const parts = [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${formatNumber(n / tasks)}`);
    return `${formatNumber(total / tasks)} (${parts.join(", ")})`;
  };
  return [
    `MONITOR of one run of ${tasks} no-op function tasks on 1 worker (-p 4), commands per task, idle polling included: driver ${describe(counts.driver)}`,
    `  worker ${describe(counts.worker)}`,
    `  calls inside Lua scripts ${formatNumber(lua / tasks)} per task`,
  ];
}

export function benchQueue(context: BenchContext): WorkloadResult {
  const missing = redisMissing();
  if (missing)
    return {
      id: "W12",
      title: "queue executor",
      rows: [],
      notes: [`not available (skipped): ${missing}; apt-get install redis-server`],
    };
  const sizes = sizesFor(context.quick);
  const project = makeBenchProject("w12");
  const notes: string[] = [];
  const rows: Row[] = [];
  let fleet: Fleet | undefined;
  try {
    sizes.shapes.forEach(({ shape }, i) => {
      const dagId = `q_bash_${i + 1}`;
      project.write(`pipelines/${dagId}.ts`, flowPipeline(shape, { dagId, kind: "bash" }));
    });
    const fnChain = chainOf(sizes.roundTrip);
    const fnWide = wide(sizes.throughput, THROUGHPUT_PARALLELISM);
    const fnMonitor = wide(sizes.monitor, 4);
    for (const [dagId, shape] of [
      ["q_fn_chain", fnChain],
      ["q_fn_wide", fnWide],
      ["q_fn_single", wide(1, 1)],
      ["q_fn_monitor", fnMonitor],
    ] as const)
      project.write(`pipelines/${dagId}.ts`, flowPipeline(shape, { dagId, kind: "function" }));
    fleet = startFleet(project, context);

    // W1-W3 through local and the queue on 1, 2 and 4 workers: ms per task of the run's span.
    sizes.shapes.forEach(({ label, shape }, i) => {
      const runners = executorRunners(
        project,
        fleet!,
        `q_bash_${i + 1}`,
        shape.parallelism,
        FLEETS,
      );
      const results = interleave(runners, context.heavyReps, context, `w12 ${label}`);
      const tasks = shape.upstream.length;
      const perTask = results.map((runs) => median(runs.map((run) => run.span / tasks)));
      runners.forEach((runner, k) =>
        rows.push({
          measure: `${label}: ${runner.name}, per task`,
          value: perTask[k]!,
          unit: "ms",
          ratio: { value: perTask[k]! / perTask[0]!, to: "local" },
        }),
      );
    });

    // Round trip: a chain of no-op function tasks, one hop = one task's end to the next one's.
    {
      const runners = executorRunners(project, fleet, "q_fn_chain", 1, [1]);
      const results = interleave(runners, context.heavyReps, context, "w12 round trip");
      const n = sizes.roundTrip;
      const localPerHop = median(results[0]!.map((run) => run.span / n));
      const hop: number[] = [];
      const dispatch: number[] = [];
      const onWorker: number[] = [];
      for (const run of results[1]!)
        for (let t = 1; t < n; t++) {
          const previous = run.tasks.get(`t${t - 1}`)!;
          const task = run.tasks.get(`t${t}`)!;
          hop.push(task.end - previous.end);
          dispatch.push(task.start - previous.end);
          onWorker.push(task.end - task.start);
        }
      rows.push({
        measure: `round trip per hop, fn chain ${n}: local (span / tasks)`,
        value: localPerHop,
        unit: "ms",
        ratio: { value: 1, to: "local" },
      });
      for (const q of [0.5, 0.99]) {
        const p = `p${Math.round(q * 100)}`;
        rows.push(
          {
            measure: `round trip per hop: queue, 1 worker, ${p}`,
            value: quantile(hop, q),
            unit: "ms",
            ratio: { value: quantile(hop, q) / localPerHop, to: "local" },
          },
          {
            measure: `  upstream's end to start recorded, ${p}`,
            value: quantile(dispatch, q),
            unit: "ms",
          },
          {
            measure: `  start recorded to end recorded, ${p}`,
            value: quantile(onWorker, q),
            unit: "ms",
          },
        );
      }
      notes.push(
        `round trip: ${hop.length} hops through the queue over the measured repetitions; hop = end of task t(i) minus end of t(i-1), from the run's recorded task times (whole ms, the driver's records); "upstream's end to start recorded": t(i) made ready, added, taken by the worker, started, its progress event back at the driver; "start recorded to end recorded": the task on the worker, its log shipped, the outcome back and recorded. Local tries take under the 1 ms resolution of those times, so local's figure is the run's span / tasks`,
      );
    }

    // Throughput of no-op function tasks on 4 workers against local, and what each part spent:
    // marginal costs per task, (cost of the run on N tasks - cost of the run on 1 task) / (N - 1),
    // which leaves out connecting, loading scripts and the fleet's idle polling.
    {
      const n = sizes.throughput;
      const single = executorRunners(project, fleet, "q_fn_single", 1, [4]);
      const wideRunners = executorRunners(project, fleet, "q_fn_wide", THROUGHPUT_PARALLELISM, [4]);
      interface Cost {
        readonly redisCalls: number;
        readonly redisCpuMs: number;
        readonly workerCpuMs: number;
        readonly calls: Map<string, number>;
      }
      const costs = new Map<string, Cost[]>();
      const withCosts = (runner: Runner<FlowRun>, key: string): Runner<FlowRun> => ({
        name: key,
        run: () => {
          const before = redisSnapshot(fleet!.redis);
          const workerBefore = fleet!.workerCpuMs();
          const run = runner.run();
          const delta = redisDelta(before, redisSnapshot(fleet!.redis));
          const list = costs.get(key) ?? [];
          list.push({
            redisCalls: delta.total,
            redisCpuMs: delta.cpuMs,
            workerCpuMs: fleet!.workerCpuMs() - workerBefore,
            calls: delta.calls,
          });
          costs.set(key, list);
          return run;
        },
      });
      const runners = [
        withCosts(single[0]!, "local 1"),
        withCosts(single[1]!, "queue 1"),
        withCosts(wideRunners[0]!, "local n"),
        withCosts(wideRunners[1]!, "queue n"),
      ];
      const results = interleave(runners, context.heavyReps, context, "w12 throughput");
      const rate = (runs: FlowRun[]): number => median(runs.map((run) => n / (run.span / 1000)));
      const localRate = rate(results[2]!);
      const queueRate = rate(results[3]!);
      // The measured repetitions only: the warm-up compiles the pipelines on the workers.
      const measured = (key: string): Cost[] => (costs.get(key) ?? []).slice(-context.heavyReps);
      const marginal = (key: "local" | "queue", pick: (c: Cost) => number): number =>
        (median(measured(`${key} n`).map(pick)) - median(measured(`${key} 1`).map(pick))) / (n - 1);
      const cpu = (index: number): number =>
        median(results[index]!.map((run) => run.cpuMs ?? Number.NaN));
      const driverPerTask = (cpu(3) - cpu(1)) / (n - 1);
      const localPerTask = (cpu(2) - cpu(0)) / (n - 1);
      const redisUs = marginal("queue", (c) => c.redisCpuMs) * 1000;
      rows.push(
        {
          measure: `no-op fn tasks, ${n}, -p ${THROUGHPUT_PARALLELISM}: local`,
          value: localRate,
          unit: "/s",
          ratio: { value: 1, to: "local" },
        },
        {
          measure: `no-op fn tasks: queue, 4 workers x ${CONCURRENCY}`,
          value: queueRate,
          unit: "/s",
          ratio: { value: queueRate / localRate, to: "local" },
        },
        {
          measure: "  Redis commands per task (commandstats: sent + inside Lua)",
          value: marginal("queue", (c) => c.redisCalls),
          unit: "",
        },
        { measure: "  Redis CPU per task", value: redisUs, unit: "us" },
        {
          measure: "  model: one Redis core saturates at (1 s / Redis CPU per task)",
          value: 1e6 / redisUs,
          unit: "/s",
        },
        {
          measure: "  driver (flow run) CPU per task, queue",
          value: driverPerTask,
          unit: "ms",
          ratio: { value: driverPerTask / localPerTask, to: "local's" },
        },
        { measure: "  flow run CPU per task, local", value: localPerTask, unit: "ms" },
        {
          measure: "  workers' CPU per task (with function processes)",
          value: marginal("queue", (c) => c.workerCpuMs),
          unit: "ms",
        },
      );
      const last = measured("queue n").at(-1)?.calls ?? new Map<string, number>();
      const top = [...last.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 14)
        .map(([name, calls]) => `${name} ${formatNumber(calls / n)}`);
      notes.push(
        `throughput = tasks / the run's span; per-task costs are marginal: (the run on ${n} tasks - the run on 1 task) / ${n - 1}, medians of the ${context.heavyReps} measured repetitions; Redis from INFO commandstats and cpu (used_cpu_user + used_cpu_sys) before and after each run; driver CPU = user + system of the flow run process (GNU time); workers' CPU from /proc (the 7 workers, their function processes and reaped children)`,
        `commandstats per task, last ${n}-task run, not marginal: ${top.join(", ")}`,
      );
    }

    notes.push(...monitorPass(project, fleet, "q_fn_monitor", sizes.monitor));
    notes.push(
      failures.length === 0
        ? "no run through the queue failed"
        : `${failures.length} run(s) through the queue failed and were run again (the figures are those of the repeated runs): ${failures.join(" // ")}`,
    );
    notes.push(
      `every worker runs --concurrency ${CONCURRENCY}; the 1-, 2- and 4-worker fleets (7 processes) all run throughout, each on a queue of its own, so idle ones poll Redis beside the measured ones; per task = the run's start-to-end (start-up left out) / tasks`,
      `sizes are smaller than W1-W3's (${sizes.shapes.map((s) => s.label.split(",")[0]).join("; ")}): a try through the queue takes a few ms here, against well under 1 ms locally`,
    );
    return {
      id: "W12",
      title: `queue executor (issue 12): W1-W3 bash, round trip, fn throughput; 1/2/4 workers on loopback`,
      rows,
      notes,
    };
  } finally {
    fleet?.stop();
    project.cleanup();
  }
}
