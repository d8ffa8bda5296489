// Servers a synchronous workload keeps running beside its measured commands: a redis-server and
// `flow worker`s. Each starts detached with its output in a file (nothing drains a pipe while
// spawnSync blocks the event loop), is tracked by pid, and is stopped by pid: by the workload's
// `finally`, or at the latest when the bench process exits. A SIGINT or SIGTERM of the bench is
// handled only once the event loop runs again (after the workload, whose servers are then
// stopped); Ctrl-C also stops the foreground `flow run`, which ends the workload. A SIGKILL of
// the bench leaves them running.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from "node:fs";

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "/usr/bin/redis-server";
const REDIS_CLI = "redis-cli";

/** Every process started here and not yet stopped. */
const started = new Set<number>();
process.on("exit", () => {
  for (const pid of started) killTree(pid, "SIGKILL");
});
let signalsHandled = false;
// Ctrl-C or SIGTERM of the bench (handled once a spawnSync returns) also stops them.
function handleSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)
    process.once(signal, () => process.exit(code));
}

/** Blocks for `ms` (the workloads are synchronous). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether redis-server and redis-cli are both here; otherwise why not. */
export function redisMissing(): string | undefined {
  if (!existsSync(REDIS_SERVER)) return `no redis-server at ${REDIS_SERVER}`;
  const cli = spawnSync(REDIS_CLI, ["--version"], { stdio: "ignore" });
  if (cli.error || cli.status !== 0) return "no redis-cli";
  return undefined;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel by a short-lived Node process). */
export function freePort(): number {
  const script =
    'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})';
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  const port = Number(result.stdout);
  if (!Number.isInteger(port) || port <= 0) throw new Error("could not find a free port");
  return port;
}

/** Starts `command` detached (a process group of its own), its stdout and stderr to `logFile`. */
export function startDetached(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; logFile: string },
): number {
  handleSignals();
  const fd = openSync(options.logFile, "a");
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", fd, fd],
      detached: true,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    started.add(child.pid);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** /proc/<pid>/stat's fields after the command name, or undefined when the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a child nobody reaped yet while the event loop is blocked). */
export function isAlive(pid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    const fields = statFields(pid);
    return fields !== undefined && fields[0] !== "Z";
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every live descendant of `pid` (from /proc; none elsewhere). */
export function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    const ppid = Number(statFields(Number(name))?.[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/**
 * CPU time in ms of `pid` and its live descendants: their user + system time, and what their
 * reaped children used (a worker's finished bash tasks).
 */
export function treeCpuMs(pid: number): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const each of [pid, ...descendants(pid)]) {
    const fields = statFields(each);
    if (!fields) continue;
    // utime, stime, cutime, cstime are fields 14-17 of stat, 11-14 after the command name.
    total += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  }
  return (total * 1000) / ticks;
}

function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const each of [pid, ...descendants(pid)]) {
    try {
      process.kill(each, signal);
    } catch {
      // gone already
    }
  }
}

/** Stops a process started here: `signal`, then SIGKILL to it and its descendants after `graceMs`. */
export function stopProcess(
  pid: number,
  graceMs = 10_000,
  signal: NodeJS.Signals = "SIGTERM",
): void {
  if (!started.has(pid)) return;
  const tree = descendants(pid);
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) sleepSync(20);
  for (const each of [pid, ...tree]) {
    try {
      if (isAlive(each)) process.kill(each, "SIGKILL");
    } catch {
      // gone already
    }
  }
  started.delete(pid);
}

/** Polls `check` every 50 ms until it holds; throws `what()` after `timeoutMs`. */
export function waitUntil(check: () => boolean, timeoutMs: number, what: () => string): void {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    sleepSync(50);
  }
}

/** A redis-server of the workload's own on a loopback port, without persistence. */
export interface BenchRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** redis-cli against it; its stdout. */
  cli(...args: string[]): string;
  stop(): void;
}

export function startRedisServer(dir: string): BenchRedis {
  const port = freePort();
  const pid = startDetached(
    REDIS_SERVER,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    { cwd: dir, logFile: `${dir}/redis.log` },
  );
  const cli = (...args: string[]): string => {
    const result = spawnSync(REDIS_CLI, ["-p", String(port), ...args], { encoding: "utf8" });
    return result.status === 0 ? result.stdout : "";
  };
  try {
    waitUntil(
      () => cli("ping").trim() === "PONG",
      10_000,
      () => `redis-server on port ${port}`,
    );
  } catch (error) {
    stopProcess(pid, 2_000);
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, pid, cli, stop: () => stopProcess(pid, 5_000) };
}

/** `INFO <section>` as numbers per field (`cmdstat_x` lines become x.calls and x.usec). */
export function redisInfo(redis: BenchRedis, section: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of redis.cli("info", section).split("\n")) {
    const [key, value] = line.trim().split(":");
    if (!key || value === undefined) continue;
    if (key.startsWith("cmdstat_")) {
      const name = key.slice("cmdstat_".length);
      for (const pair of value.split(",")) {
        const [field, number] = pair.split("=");
        if (field === "calls" || field === "usec") values.set(`${name}.${field}`, Number(number));
      }
    } else if (/^-?[\d.]+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}
