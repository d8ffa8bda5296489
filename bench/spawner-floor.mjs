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
import { readFloorTasks } from "./lib/floor-tasks.mjs";

const [spawner, input, parallelismArg] = process.argv.slice(2);
const parallelism = Number(parallelismArg ?? 1);
const { commands, downstream, waitingOn, ready, record } = readFloorTasks(input, "spawner-floor");
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

let pending = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (chunk) => {
  pending += chunk;
  let end;
  while ((end = pending.indexOf("\n")) >= 0) {
    const [kind, id, value] = pending.slice(0, end).split(" ");
    pending = pending.slice(end + 1);
    if (kind !== "E") continue;
    running--;
    finished++;
    if (value !== "0") failed++;
    for (const next of downstream[Number(id)]) if (--waitingOn[next] === 0) ready.push(next);
  }
  startReady();
});

startReady();
