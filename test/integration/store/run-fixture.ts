import { spawn, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Absolute path of a fixture script under test/fixtures/store/. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/store/${name}`, import.meta.url));
}

/** Spawns a TypeScript fixture with tsx, from the repo root so `--import tsx` resolves. */
export function spawnFixture(name: string, args: readonly string[], options: SpawnOptions = {}) {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  return spawn(process.execPath, ["--import", "tsx", fixturePath(name), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
}

/** Runs a fixture to the end; rejects with its stderr when it exits non-zero. */
export async function runFixture(
  name: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<string> {
  const child = spawnFixture(name, args, options);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`fixture ${name} exited ${code}: ${stderr}`);
  return stdout;
}
