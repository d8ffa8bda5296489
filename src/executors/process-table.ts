import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** One row of the process table. `start` (Linux only) tells a process from a later one with the same pid. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly zombie: boolean;
  readonly start?: string;
}

const HAS_PROC = process.platform === "linux";

/** Every process on the machine: /proc on Linux (no fork), `ps` elsewhere. */
export function listProcesses(): ProcessInfo[] {
  return HAS_PROC ? listFromProc() : listFromPs();
}

/** The process with this pid, or undefined when it is gone. */
export function readProcess(pid: number): ProcessInfo | undefined {
  if (HAS_PROC) return readProcStat(pid);
  return listFromPs().find((info) => info.pid === pid);
}

// Read by pid so that a process exiting between readdir and read is simply skipped.
function listFromProc(): ProcessInfo[] {
  const rows: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const info = readProcStat(Number(name));
    if (info) rows.push(info);
  }
  return rows;
}

// Fields after the command name, which is in parentheses and may itself hold spaces and ")".
function readProcStat(pid: number): ProcessInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  return {
    pid,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    zombie: state === "Z" || state === "X",
    start: fields[19] ?? "",
  };
}

function listFromPs(): ProcessInfo[] {
  const output = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat="], { encoding: "utf8" });
  return output
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4)
    .map(([pid, ppid, pgid, stat]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      zombie: (stat ?? "").startsWith("Z"),
    }));
}

/**
 * Processes whose environment holds `name=value` (Linux: /proc/<pid>/environ, readable for our
 * own processes). Elsewhere an empty list: stopping a try then relies on the process tree only.
 */
export function listByEnvironment(name: string, value: string): ProcessInfo[] {
  if (!HAS_PROC) return [];
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const rows: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let environ: Buffer;
    try {
      environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`)]);
    } catch {
      continue;
    }
    if (!environ.includes(needle)) continue;
    const info = readProcStat(Number(entry));
    if (info && !info.zombie) rows.push(info);
  }
  return rows;
}
