// A description of the machine, for RESULTS.md: the figures only mean something next to it.
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { spawnSync } from "node:child_process";

export interface Machine {
  readonly nproc: string;
  readonly cpu: string;
  readonly memory: string;
  readonly node: string;
  readonly loadAverage: string;
  readonly os: string;
}

function cpuModel(): string {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const line = info.split("\n").find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1]!.trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? "unknown";
}

export function describeMachine(): Machine {
  const nproc = spawnSync("nproc", { encoding: "utf8" });
  const uname = spawnSync("uname", ["-srm"], { encoding: "utf8" });
  return {
    nproc: nproc.status === 0 ? nproc.stdout.trim() : String(cpus().length),
    cpu: cpuModel(),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(" "),
    os: uname.status === 0 ? uname.stdout.trim() : process.platform,
  };
}
