// What settling costs per task end in W3's shape (20 layers of 25, each task downstream of the
// whole layer before): every task succeeds in DAG order, and the runner's call after each end
// (settleRun with only = its downstream tasks, the ended try pending) is timed, looking each
// upstream task up, and reading the counts a RunTable keeps (as the engine does; settleRun reads
// them for tasks with 48 upstream tasks or more). The two run in this order in one process: the
// second meets code the first warmed, so compare their later rounds.
// Usage: node --import tsx bench/probes/settle-layers.ts [layers] [width] [rounds]
import { buildDag } from "../../src/core/build-dag.js";
import type { Dag } from "../../src/core/dag.js";
import { RunTable } from "../../src/core/run-table.js";
import { settleRun } from "../../src/core/settle.js";
import { newTaskInstance } from "../../src/core/transitions.js";

const [layers = 20, width = 25, rounds = 20] = process.argv.slice(2).map(Number);
const tasks = [];
for (let layer = 0; layer < layers; layer++)
  for (let i = 0; i < width; i++)
    tasks.push({
      id: `t${layer * width + i}`,
      kind: "bash" as const,
      upstream:
        layer === 0 ? [] : Array.from({ length: width }, (_, k) => `t${(layer - 1) * width + k}`),
      downstream: [],
      options: {},
    });
const built = buildDag({ file: "pipelines/p.ts", id: "p", tasks });
if (!built.ok) throw new Error(JSON.stringify(built.issues.slice(0, 2)));
const dag = built.dag;
const now = new Date();

// Microseconds a task end, per round: the first round is cold, as in a run.
function timeRounds(dag: Dag, tallied: boolean): number[] {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const fresh = [...dag.tasks.values()].map((spec) => [spec.id, newTaskInstance(spec)]);
    const table = new RunTable(dag, Object.fromEntries(fresh));
    const tally = tallied ? table.tally : undefined;
    let ready = 0;
    const start = performance.now();
    for (const spec of dag.tasks.values()) {
      const done = { ...table.tasks[spec.id]!, state: "success" as const };
      const options = { now, only: spec.downstream, pending: [done], tally };
      ready += settleRun(dag, table.tasks, options).ready.length;
      table.set(done);
    }
    times.push(((performance.now() - start) * 1000) / dag.tasks.size);
    if (ready !== dag.tasks.size - width) throw new Error(`made ${ready} tasks ready`);
  }
  return times;
}

for (const tallied of [false, true]) {
  const [first, ...rest] = timeRounds(dag, tallied);
  rest.sort((a, b) => a - b);
  console.log(
    `${tallied ? "counts kept (RunTable)" : "each upstream looked up"}: per task end, first round ${first!.toFixed(1)} us, later rounds (median) ${rest[rest.length >> 1]!.toFixed(1)} us`,
  );
}
