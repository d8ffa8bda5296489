// What settling costs per task end in W3's shape (20 layers of 25, each task downstream of the
// whole layer before): every task succeeds in DAG order, and the runner's call after each end
// (settleRun with only = its downstream tasks, the ended try pending) is timed.
// Usage: node --import tsx bench/probes/settle-layers.ts [layers] [width] [rounds]
import { buildDag } from "../../src/core/build-dag.js";
import { settleRun } from "../../src/core/settle.js";
import { copyTaskTable } from "../../src/core/task-table.js";
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
let ready = 0;
const times: number[] = [];
for (let round = 0; round < rounds; round++) {
  const table = copyTaskTable(
    Object.fromEntries([...dag.tasks.values()].map((spec) => [spec.id, newTaskInstance(spec)])),
  );
  const start = performance.now();
  for (const spec of dag.tasks.values()) {
    const done = { ...table[spec.id]!, state: "success" as const };
    const settlement = settleRun(dag, table, { now, only: spec.downstream, pending: [done] });
    table[spec.id] = done;
    ready += settlement.ready.length;
  }
  times.push((performance.now() - start) / dag.tasks.size);
}
const first = times[0]!;
const rest = times.slice(1).sort((a, b) => a - b);
console.log(
  `settle per task end: first round ${(first * 1000).toFixed(1)} us, later rounds (median) ${(rest[rest.length >> 1]! * 1000).toFixed(1)} us; ${ready / rounds} tasks made ready a round`,
);
