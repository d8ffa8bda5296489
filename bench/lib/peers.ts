// Finds GNU make and ninja, installing them from the distribution's packages when they are
// missing and we may (root, apt-get present); otherwise the bench skips them with a note.
import { spawnSync } from "node:child_process";

export interface Peer {
  readonly name: "make" | "ninja";
  readonly available: boolean;
  /** Version line, or why the peer is skipped. */
  readonly note: string;
}

const packages = { make: "make", ninja: "ninja-build" } as const;

function versionOf(tool: string): string | undefined {
  const result = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.split("\n")[0]?.trim() || undefined;
}

function tryInstall(pkg: string): boolean {
  const isRoot = process.getuid?.() === 0;
  const apt = spawnSync("apt-get", ["--version"], { stdio: "ignore" });
  if (!isRoot || apt.error || apt.status !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
  const install = spawnSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "ignore", env });
  return install.status === 0;
}

/** The peer, ready to run, or a note saying why it is skipped. */
export function findPeer(name: Peer["name"], allowInstall: boolean): Peer {
  let version = versionOf(name);
  if (!version && allowInstall && tryInstall(packages[name])) version = versionOf(name);
  if (version)
    return {
      name,
      available: true,
      note: version.startsWith("GNU") ? version : `${name} ${version}`,
    };
  return {
    name,
    available: false,
    note: `${name} not found and not installable here (apt-get install ${packages[name]} as root): skipped`,
  };
}
