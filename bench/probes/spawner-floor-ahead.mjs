// bench/spawner-floor.mjs with one task queued ahead in each lane: each running job has the next
// ready task waiting behind it in the spawner (`after <job>`, as flow's chain followers), so a
// lane turns without waiting for Node (the spawner starts the next as the job exits 0). What
// queuing every ready task ahead could give at best, with no work of flow's.
// Usage: node bench/probes/spawner-floor-ahead.mjs <spawner> <tasks.json> <parallelism>
//   Compare with bench/spawner-floor.mjs and make on the same tasks.json, alternating
//   (bench/probes/alternate.mjs); the bench writes tasks.json for W1-W3 (bench/lib/generate.ts).
import { spawn } from "node:child_process";
import { readFloorTasks, readSpawnerLines } from "../lib/floor-tasks.mjs";

const [spawner, input, parallelismArg] = process.argv.slice(2);
const parallelism = Number(parallelismArg ?? 1);
const { commands, ready, record, ended } = readFloorTasks(input, "spawner-floor-ahead");
let finished = 0;
let failed = 0;
// A lane: the job it runs and the one queued behind it (task numbers are job ids).
const lanes = Array.from({ length: parallelism }, () => ({ running: -1, queued: -1 }));
const laneOf = new Map();

const child = spawn(spawner, ["5"], { stdio: ["pipe", "pipe", "inherit"] });

function fill() {
  let out = "";
  for (const lane of lanes) {
    if (lane.running < 0 && ready.length > 0) {
      lane.running = ready.shift();
      laneOf.set(lane.running, lane);
      out += record(lane.running);
    }
    if (lane.running >= 0 && lane.queued < 0 && ready.length > 0) {
      lane.queued = ready.shift();
      laneOf.set(lane.queued, lane);
      out += record(lane.queued, lane.running);
    }
  }
  if (out) child.stdin.write(out);
  if (finished === commands.length) {
    child.stdin.end();
    process.exitCode = failed > 0 ? 1 : 0;
  }
}

readSpawnerLines(
  child.stdout,
  (kind, task, value) => {
    const lane = laneOf.get(task);
    if (kind === "S" && lane.queued === task) {
      lane.running = task;
      lane.queued = -1;
    } else if (kind === "C") {
      // Never started (the job before it failed): back to the front of the ready tasks.
      lane.queued = -1;
      ready.unshift(task);
    } else if (kind === "E") {
      finished++;
      if (value !== "0") failed++;
      if (lane.running === task) lane.running = -1;
      ended(task);
    }
  },
  fill,
);

fill();
