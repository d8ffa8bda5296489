// Runs one command and reports its wall time and, where it can, its peak memory.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = existsSync(GNU_TIME);

/** Where the peak RSS figures come from, for the notes under the table. */
export const rssSource = hasGnuTime
  ? "GNU time (%M, the largest process of the tree)"
  : "process.resourceUsage().maxRSS of the flow process (no GNU time here)";

export interface Measured {
  readonly ms: number;
  /** Peak resident set size in KiB, when known. */
  readonly rssKb: number | undefined;
  /**
   * CPU time (user + sys) of the process and every descendant it waited for, in ms, when GNU
   * time is there: unlike wall time, other load on the machine barely moves it.
   */
  readonly cpuMs: number | undefined;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
}

// A preload for Node children when GNU time is missing: it writes maxRSS (KiB) at exit.
const rssProbe = new URL("../probes/rss-at-exit.mjs", import.meta.url);

/** Runs `command args` to completion; wall time is taken here, around the whole process. */
export function measure(
  command: string,
  args: readonly string[],
  options: MeasureOptions,
): Measured {
  const scratch = mkdtempSync(join(tmpdir(), "flow-bench-rss-"));
  const rssFile = join(scratch, "rss");
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  let argv: string[];
  if (hasGnuTime) {
    argv = [GNU_TIME, "-f", "%M %U %S", "-o", rssFile, command, ...args];
  } else {
    argv = [command, ...args];
    if (command === process.execPath) {
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import=${rssProbe.href}`.trim();
      env.FLOW_BENCH_RSS_FILE = rssFile;
    }
  }
  try {
    const started = performance.now();
    const result = spawnSync(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
      encoding: "utf8",
    });
    const ms = performance.now() - started;
    if (result.error) throw result.error;
    const [rssKb, cpuMs] = readTimeFile(rssFile);
    return {
      ms,
      rssKb,
      cpuMs,
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Like `measure`, but a non-zero exit is an error that names the command and its stderr. */
export function measureOk(
  command: string,
  args: readonly string[],
  options: MeasureOptions,
): Measured {
  const result = measure(command, args, options);
  if (result.status !== 0) {
    const tail = (result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n");
    throw new Error(`${[command, ...args].join(" ")} exited ${result.status}:\n${tail}`);
  }
  return result;
}

// GNU time's `%M %U %S` line (the probe writes `%M` alone).
function readTimeFile(file: string): [number | undefined, number | undefined] {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const [rss, user, sys] = (lines[lines.length - 1] ?? "").split(" ").map(Number);
    const cpu = (user ?? Number.NaN) + (sys ?? Number.NaN);
    return [
      rss !== undefined && Number.isFinite(rss) && rss > 0 ? rss : undefined,
      Number.isFinite(cpu) ? cpu * 1000 : undefined,
    ];
  } catch {
    return [undefined, undefined];
  }
}
