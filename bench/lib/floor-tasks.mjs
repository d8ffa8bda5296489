// What bench/spawner-floor.mjs and bench/probes/spawner-floor-ahead.mjs share: the tasks of a
// tasks.json (bench/lib/generate.ts) with their dependencies, and the spawner record flow writes
// for a simple command.
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The tasks of `input`: their commands, the ones ready now (`ended(task)` adds those a task's end
 * releases), and the record of each. `logs` is a new folder in the cwd (as flow's logs are
 * beside its state dirs), left for the bench to remove (bench/lib/project.ts says why).
 */
export function readFloorTasks(input, label) {
  const { commands, upstream } = JSON.parse(readFileSync(input, "utf8"));
  const waitingOn = upstream.map((ups) => ups.length);
  const downstream = commands.map(() => []);
  upstream.forEach((ups, task) => ups.forEach((up) => downstream[up].push(task)));
  const ready = [];
  waitingOn.forEach((count, task) => count === 0 && ready.push(task));
  const cwd = process.cwd();
  const logs = mkdtempSync(join(cwd, `${label}-`));
  // The record flow writes for a simple command: id, mode x, `after` (empty: start at once),
  // cwd, log, argv, env.
  const record = (task, after = "") => {
    const argv = commands[task].split(" ");
    const fields = [task, "x", after, cwd, join(logs, `t${task}.1.log`), argv.length, ...argv];
    return `${[...fields, 1, `PWD=${cwd}`].join("\0")}\0`;
  };
  // Task `task` ended: the tasks it alone still held back are ready.
  const ended = (task) => {
    for (const next of downstream[task]) if (--waitingOn[next] === 0) ready.push(next);
  };
  return { commands, ready, record, ended };
}

/**
 * The spawner's lines (`S|E|C <id> <value>`, flow-spawner.c) as they come on `stream`: each to
 * `onLine(kind, task, value)`, then `afterRead()` once per read.
 */
export function readSpawnerLines(stream, onLine, afterRead) {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf("\n")) >= 0) {
      const [kind, id, value] = pending.slice(0, end).split(" ");
      pending = pending.slice(end + 1);
      onLine(kind, Number(id), value);
    }
    afterRead();
  });
}
