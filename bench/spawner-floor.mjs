// flow's own floor: Node driving flow's native spawner (src/executors/native/flow-spawner.c)
// with nothing else to do. The same process layout and protocol as a `flow run` of bash tasks
// (one record per task on the spawner's stdin, its S and E lines back, a log file per task in
// one folder, the task's argv exec'd with no shell), and none of flow's own work: no state, no
// journal, no trigger rules, no output. What is left between this and make is what two
// processes and their wake-ups cost; what is left between flow and this is flow's own work.
// Not flow: a runner of the bench, as the Node floor is.
// Usage: node bench/spawner-floor.mjs <spawner> <tasks.json> <parallelism>
//   tasks.json: {"commands": ["/usr/bin/true", ...], "upstream": [[], [0], ...]}; every command
//   a simple one (words split on spaces: what flow execs without a shell).
import { spawn } from "node:child_process";
import { readFloorTasks, readSpawnerLines } from "./lib/floor-tasks.mjs";

const [spawner, input, parallelismArg] = process.argv.slice(2);
const parallelism = Number(parallelismArg ?? 1);
const { commands, ready, record, ended } = readFloorTasks(input, "spawner-floor");
let running = 0;
let finished = 0;
let failed = 0;

// Grace 5 s, as flow's default: only used if this process dies with tasks running.
const child = spawn(spawner, ["5"], { stdio: ["pipe", "pipe", "inherit"] });

function startReady() {
  while (running < parallelism && ready.length > 0) {
    running++;
    child.stdin.write(record(ready.shift()));
  }
  if (running === 0 && finished === commands.length) {
    child.stdin.end();
    process.exitCode = failed > 0 ? 1 : 0;
  }
}

readSpawnerLines(
  child.stdout,
  (kind, task, value) => {
    if (kind !== "E") return;
    running--;
    finished++;
    if (value !== "0") failed++;
    ended(task);
  },
  startReady,
);

startReady();
