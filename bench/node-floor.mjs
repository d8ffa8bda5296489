// The plain Node floor: what any Node runner pays at least. Spawns each command through
// `sh -c` with child_process.spawn, starts a task once its upstream tasks are done, keeps at most
// `parallelism` running, and collects every child's stdout and stderr.
// Usage: node bench/node-floor.mjs <tasks.json> <parallelism>
//   tasks.json: {"commands": ["true", ...], "upstream": [[], [0], ...]}
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const { commands, upstream } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const parallelism = Number(process.argv[3] ?? 1);

const waitingOn = upstream.map((ups) => ups.length);
const downstream = commands.map(() => []);
upstream.forEach((ups, task) => ups.forEach((up) => downstream[up].push(task)));
const ready = [];
waitingOn.forEach((count, task) => count === 0 && ready.push(task));
const output = commands.map(() => ({ stdout: [], stderr: [] }));
let running = 0;
let finished = 0;
let failed = 0;

function startReady() {
  while (running < parallelism && ready.length > 0) start(ready.shift());
  if (running === 0 && finished === commands.length) {
    process.exitCode = failed > 0 ? 1 : 0;
  }
}

function start(task) {
  running++;
  const child = spawn("sh", ["-c", commands[task]], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk) => output[task].stdout.push(chunk));
  child.stderr.on("data", (chunk) => output[task].stderr.push(chunk));
  child.on("close", (code) => {
    running--;
    finished++;
    if (code !== 0) failed++;
    for (const next of downstream[task]) if (--waitingOn[next] === 0) ready.push(next);
    startReady();
  });
}

startReady();
