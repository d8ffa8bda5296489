// What creating a file costs where the bench (or a state dir) lives: 1,000 empty files opened
// for append and closed in a new folder DIR, with wall and CPU time. On a file system whose
// block group has many recently freed inodes (a /tmp churned by test suites), ext4 reads past
// each of them: compare a folder under /tmp with one under your project.
// Usage: node bench/probes/create-files.mjs DIR [label]
import { closeSync, mkdirSync, openSync } from "node:fs";
const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
const t = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < 1000; i++) closeSync(openSync(`${dir}/f${i}.log`, "a"));
const c = process.cpuUsage(c0);
console.log(
  process.argv[3],
  "create 1000 files:",
  (performance.now() - t).toFixed(1),
  "ms wall,",
  ((c.user + c.system) / 1000).toFixed(1),
  "ms cpu",
);
