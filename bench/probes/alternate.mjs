// Alternates commands, each run `reps` times in a rotating order, and prints each one's median
// wall time: a before/after of two builds on a loaded machine. Each command is `name|argv`.
// Usage: node bench/probes/alternate.mjs 25 "node0|node -e 0" "new|node bin/flow.js list" ...
import { spawnSync } from "node:child_process";
const [reps, ...cmds] = process.argv.slice(2);
const names = cmds.map((c) => c.split("|")[0]);
const t = cmds.map(() => []);
for (let r = 0; r < Number(reps); r++)
  cmds.forEach((c, i) => {
    const k = (i + r) % cmds.length;
    const argv = cmds[k].split("|")[1].split(" ");
    const s = performance.now();
    const res = spawnSync(argv[0], argv.slice(1), { stdio: "ignore" });
    t[k].push(performance.now() - s);
    if (res.status !== 0) throw new Error(cmds[k] + " failed");
  });
const med = (a) => {
  const b = [...a].sort((x, y) => x - y);
  return b[Math.floor(b.length / 2)];
};
names.forEach((n, i) => console.log(n.padEnd(12), med(t[i]).toFixed(1), "ms"));
