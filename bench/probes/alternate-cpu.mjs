// alternate.mjs with CPU time: each command runs under GNU time, in a rotating order, `reps` times,
// and its median wall time and median CPU time (user + sys of its whole process tree) are printed.
// An `@` in a command becomes a number new for each run (a fresh --state-dir, say).
// Usage: node bench/probes/alternate-cpu.mjs 9 "flow|node bin/flow.js run wide --state-dir s@" "make|make -s -j2"
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [reps, ...cmds] = process.argv.slice(2);
const scratch = mkdtempSync(join(tmpdir(), "flow-alternate-"));
const timeFile = join(scratch, "time");
const wall = cmds.map(() => []);
const cpu = cmds.map(() => []);
let fresh = 0;
try {
  for (let r = 0; r < Number(reps); r++)
    cmds.forEach((_, i) => {
      const k = (i + r) % cmds.length;
      const argv = cmds[k]
        .split("|")[1]
        .split(" ")
        .map((arg) => arg.replace("@", String(fresh++)));
      const started = performance.now();
      const result = spawnSync("/usr/bin/time", ["-f", "%U %S", "-o", timeFile, ...argv], {
        stdio: "ignore",
      });
      wall[k].push(performance.now() - started);
      if (result.status !== 0) throw new Error(`${cmds[k]} failed`);
      const [user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ");
      cpu[k].push((Number(user) + Number(sys)) * 1000);
    });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
cmds.forEach((cmd, i) =>
  console.log(
    cmd.split("|")[0].padEnd(12),
    `${median(wall[i]).toFixed(0)} ms wall`,
    `${median(cpu[i]).toFixed(0)} ms cpu`,
  ),
);
