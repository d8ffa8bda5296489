import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FLOW_BIN, makeProject } from "../e2e/harness.js";

// A task that prints 200 MB: its log holds every byte, and flow's peak memory stays bounded
// (output goes from the process to the log file, never through flow's heap).

const BYTES = 200_000_000;
const RSS_LIMIT_KB = 250 * 1024;
const TIME = "/usr/bin/time";
const RUN_ID = "manual__2026-05-01T00:00:00+00:00";

const figures: string[] = [];
afterAll(() => console.log(`fault big output: ${figures.join("; ")}`));

// Runs flow under /usr/bin/time and returns its exit code and max RSS in KB.
function runMeasured(
  dir: string,
  args: string[],
  stdoutTo?: string,
): { status: number | null; rssKb: number; stderr: string } {
  const rssFile = join(dir, `rss-${args[0]}.txt`);
  const command = [TIME, "-f", "%M", "-o", rssFile, process.execPath, FLOW_BIN, ...args]
    .map((part) => `'${part}'`)
    .join(" ");
  const result = spawnSync("sh", ["-c", `${command}${stdoutTo ? ` > '${stdoutTo}'` : ""}`], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    status: result.status,
    rssKb: Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()),
    stderr: result.stderr,
  };
}

// How many bytes of the file are `char` (counted by tr, not read into the test's memory).
const countChar = (path: string, char: string): number =>
  Number(execFileSync("sh", ["-c", `tr -cd '${char}' < '${path}' | wc -c`], { encoding: "utf8" }));

describe.skipIf(!existsSync(TIME))("a task that prints 200 MB", () => {
  it.each([
    ["one 200 MB line", `head -c ${BYTES} /dev/zero | tr '\\0' x`, "x"],
    ["100 million short lines", `yes | head -c ${BYTES}`, "y"],
  ])(
    "%s: the log holds all of it; flow run and flow logs stay under 250 MB",
    { timeout: 180_000 },
    async (name, command, char) => {
      const project = await makeProject({
        "pipelines/big.ts": `
import { dag, bash } from "flow";
export default dag({ id: "big", tasks: [bash("shout", ${JSON.stringify(command)})] });
`,
      });
      try {
        const run = runMeasured(project.dir, ["run", "big", "--date", "2026-05-01"]);
        expect(run.status, run.stderr).toBe(0);
        const log = join(project.stateDir, "logs/big", RUN_ID, "shout.1.log");
        expect(statSync(log).size).toBeGreaterThanOrEqual(BYTES);
        expect(countChar(log, char)).toBe(char === "y" ? BYTES / 2 : BYTES);

        const out = join(project.dir, "logs-out.txt");
        const logs = runMeasured(project.dir, ["logs", "big", "shout"], out);
        expect(logs.status, logs.stderr).toBe(0);
        expect(statSync(out).size).toBeGreaterThanOrEqual(BYTES);

        figures.push(
          `${name}: flow run max RSS ${Math.round(run.rssKb / 1024)} MB, flow logs ${Math.round(logs.rssKb / 1024)} MB`,
        );
        expect(run.rssKb, "flow run max RSS (KB)").toBeLessThan(RSS_LIMIT_KB);
        expect(logs.rssKb, "flow logs max RSS (KB)").toBeLessThan(RSS_LIMIT_KB);
      } finally {
        await project.cleanup();
      }
    },
  );
});
