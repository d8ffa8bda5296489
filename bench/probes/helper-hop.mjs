// Per-hop latency of flow's shell helper alone (dist/executors/shell-helper.js), one job at a
// time, for the job script flow builds for `true` and for two variants of it. Shows what a bash
// task costs below the runner. Usage: node bench/probes/helper-hop.mjs [hops]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dist = new URL("../../dist/executors/", import.meta.url);
const { ShellHelper } = await import(new URL("shell-helper.js", dist).href);
const { buildJobScript } = await import(new URL("bash-job.js", dist).href);
const { findBash } = await import(new URL("find-bash.js", dist).href);

const hops = Number(process.argv[2] ?? 100);
const scratch = mkdtempSync(join(tmpdir(), "flow-bench-hop-"));
// The FLOW_* variables a bash task gets, with values of realistic length.
const env = Object.fromEntries(
  ["DAG_ID", "RUN_ID", "RUN_TYPE", "TASK_ID", "TRY_NUMBER", "MAX_TRIES", "LOGICAL_DATE", "DS"]
    .concat(["DS_NODASH", "TS", "TS_NODASH", "DATA_INTERVAL_START", "DATA_INTERVAL_END", "PARAMS"])
    .map((name) => [`FLOW_${name}`, "2026-01-05T00:00:00.000+00:00"]),
);
const script = (command) =>
  buildJobScript({ command, cwd: scratch, env, logPath: join(scratch, "t.log"), bash: findBash() });
const flowScript = script("true");
const variants = [
  ["flow's script for `true`", flowScript],
  ["same, dash builtin `true`", flowScript.replace(/'[^']*bash' -c 'true'/, "true")],
  ["same, exec /usr/bin/true", flowScript.replace(/'[^']*bash' -c 'true'/, "/usr/bin/true")],
];

const helper = new ShellHelper({ shell: "/bin/sh", graceMs: 1000 });
const runOnce = (body) =>
  new Promise((done) => helper.run(body, { onStart() {}, onEnd: done, onLost: done }));
const totals = variants.map(() => 0);
for (const [, body] of variants) await runOnce(body);
// Interleaved in blocks of 10 so that load from other processes falls on every variant alike.
for (let block = 0; block < hops / 10; block++) {
  for (const [index, [, body]] of variants.entries()) {
    const started = performance.now();
    for (let i = 0; i < 10; i++) await runOnce(body);
    totals[index] += performance.now() - started;
  }
}
await helper.close();
rmSync(scratch, { recursive: true, force: true });
console.log(`flow builds: ${flowScript.slice(-90)}`);
variants.forEach(([name], index) => {
  console.log(`${name.padEnd(28)} ${(totals[index] / hops).toFixed(2)} ms per hop`);
});
