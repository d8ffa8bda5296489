// What one bash task costs below the runner: flow's two helpers alone (dist/executors/), the sh
// helper and the native spawner, each given the job flow builds for a command, `parallel` jobs
// at a time, for `/usr/bin/true` (a real program) and `true` (a builtin). Prints wall time per
// job and the CPU time (user + sys) of the helper with every process it started, per job, read
// from /proc when the helper has reaped them all (Linux; 10 ms ticks).
// Usage: node bench/probes/helper-hop.mjs [jobs] [parallel]
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dist = new URL("../../dist/executors/", import.meta.url);
const { buildJobScript, buildNativeRecord } = await import(new URL("bash-job.js", dist).href);
const { openSpawner } = await import(new URL("bash-spawner.js", dist).href);
const { shJobRecord } = await import(new URL("shell-helper.js", dist).href);
const { findBash } = await import(new URL("find-bash.js", dist).href);

const jobs = Number(process.argv[2] ?? 1000);
const parallel = Number(process.argv[3] ?? 1);
const scratch = mkdtempSync(join(tmpdir(), "flow-bench-hop-"));
// The FLOW_* variables a bash task gets, with values of realistic length.
const env = Object.fromEntries(
  ["DAG_ID", "RUN_ID", "RUN_TYPE", "TASK_ID", "TRY_NUMBER", "MAX_TRIES", "LOGICAL_DATE", "DS"]
    .concat(["DS_NODASH", "TS", "TS_NODASH", "DATA_INTERVAL_START", "DATA_INTERVAL_END", "PARAMS"])
    .map((name) => [`FLOW_${name}`, "2026-01-05T00:00:00.000+00:00"]),
);

// utime + stime + cutime + cstime of a process, in ms.
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1].split(" ");
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10;
}

async function measure(kind, command) {
  const spawner = openSpawner(kind, "/bin/sh", 1000);
  let n = 0;
  // One log folder per run, as flow's layout has (`<task>.<try>.log`); PROBE_NO_LOG=1 sends
  // every job's output to /dev/null instead: what creating a log file per job costs.
  const folder = join(scratch, `${kind}-${command.length}`);
  mkdirSync(folder);
  const record = () => {
    const job = { command, cwd: scratch, env, bash: findBash() };
    const logPath = process.env.PROBE_NO_LOG ? "/dev/null" : join(folder, `t${n++}.1.log`);
    if (kind === "native") return buildNativeRecord({ ...job, logPath });
    return shJobRecord(buildJobScript({ ...job, logPath }));
  };
  const one = () =>
    new Promise((done) => {
      spawner.helper.run(record(), {
        onStart: () => {},
        onEnd: done,
        onLost: done,
      });
    });
  await one(); // starts the helper
  // The helper is this process's one child.
  const children = readFileSync(`/proc/self/task/${process.pid}/children`, "latin1").trim();
  const helperPid = Number(children.split(" ").at(-1));
  const cpuBefore = cpuOf(helperPid);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next++ < jobs) await one();
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  const wall = performance.now() - started;
  const cpu = cpuOf(helperPid) - cpuBefore;
  await spawner.helper.close();
  return { wall: wall / jobs, cpu: cpu / jobs };
}

console.log(`${jobs} jobs, ${parallel} at a time; per job:`);
for (const command of ["/usr/bin/true", "true"]) {
  for (const kind of ["sh", "native"]) {
    const { wall, cpu } = await measure(kind, command);
    console.log(
      `${kind.padEnd(7)} ${command.padEnd(14)} wall ${wall.toFixed(3)} ms  helper CPU ${cpu.toFixed(3)} ms`,
    );
  }
}
rmSync(scratch, { recursive: true, force: true });
