import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findNativeSpawner } from "../../src/executors/bash-spawner.js";
import { makeProject, type Project } from "./harness.js";

// A chain's next bash task is queued in the native spawner while the one before runs, and
// starts as that one exits 0 (docs/adr/0009-dispatch-ahead.md). Each task appends its id as it
// starts and as it ends, so the order file shows any overlap.
const CHAIN = `
import { dag, bash, chain } from "flow";
const tasks = Array.from({ length: 8 }, (_, i) =>
  bash(\`c\${i}\`, 'echo "$FLOW_TASK_ID start" >> order.txt; sleep 0.05; echo "$FLOW_TASK_ID end" >> order.txt'),
);
chain(...tasks);
export default dag({ id: "chain", tasks });
`;

const DATE = "2026-03-01";
const RUN_ID = "manual__2026-03-01T00:00:00+00:00";

interface StoredTask {
  state: string;
  try_number: number;
  start: string | null;
  end: string | null;
  queued_at?: string;
  reason: string | null;
}

let project: Project;
afterEach(async () => project?.cleanup());

async function storedTasks(dagId: string): Promise<Record<string, StoredTask>> {
  const snapshot = JSON.parse(await project.read(`state/runs/${dagId}/${RUN_ID}.json`));
  return snapshot.run.tasks;
}

function expectedOrder(count: number): string {
  return Array.from({ length: count }, (_, i) => `c${i} start\nc${i} end\n`).join("");
}

describe.skipIf(!findNativeSpawner())("a chain of bash tasks (native spawner)", () => {
  it("queues each next task while the one before runs; it starts after that one ends", async () => {
    project = await makeProject({ "pipelines/chain.ts": CHAIN });
    const result = await project.flow(["run", "chain", "--date", DATE]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await project.read("order.txt")).toBe(expectedOrder(8));
    const tasks = await storedTasks("chain");
    for (let i = 1; i < 8; i++) {
      const task = tasks[`c${i}`]!;
      const before = tasks[`c${i - 1}`]!;
      expect(task).toMatchObject({ state: "success", try_number: 1 });
      // Queued while the task before it ran: dispatched ahead, not after its end.
      expect(task.queued_at, `c${i}`).toBeDefined();
      expect(Date.parse(task.queued_at!)).toBeLessThanOrEqual(Date.parse(before.end!));
      expect(Date.parse(task.queued_at!)).toBeGreaterThanOrEqual(Date.parse(before.start!));
    }
  });

  it("the sh helper starts each task after the end before it is recorded, as before", async () => {
    project = await makeProject({ "pipelines/chain.ts": CHAIN });
    const result = await project.flow(["run", "chain", "--date", DATE], {
      env: { FLOW_BASH_SPAWNER: "sh" },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await project.read("order.txt")).toBe(expectedOrder(8));
    const tasks = await storedTasks("chain");
    for (let i = 1; i < 8; i++) expect(tasks[`c${i}`]!.queued_at).toBeUndefined();
  });

  it("a task that fails: the next never starts, is upstream_failed, and spends no try", async () => {
    project = await makeProject({
      "pipelines/broken.ts": `
import { dag, bash, chain } from "flow";
const a = bash("a", "sleep 0.2");
const b = bash("b", "sleep 0.2; exit 3");
const c = bash("c", "touch c.ran");
const d = bash("d", "touch d.ran");
chain(a, b, c, d);
export default dag({ id: "broken", tasks: [a, b, c, d] });
`,
    });
    const result = await project.flow(["run", "broken", "--date", DATE]);
    expect(result.exitCode).toBe(1);
    const tasks = await storedTasks("broken");
    expect(tasks.b).toMatchObject({ state: "failed", try_number: 1, reason: "exit code 3" });
    expect(tasks.c).toMatchObject({ state: "upstream_failed", try_number: 0 });
    expect(tasks.c!.queued_at).toBeUndefined();
    expect(tasks.d).toMatchObject({ state: "upstream_failed", try_number: 0 });
    expect(existsSync(join(project.dir, "c.ran"))).toBe(false);
    expect(existsSync(join(project.dir, "d.ran"))).toBe(false);
    expect(result.stdout).not.toMatch(/\bc +(running|queued)/);
  });

  it("a retried task: the next one starts once, after the try that succeeds", async () => {
    project = await makeProject({
      "pipelines/flaky.ts": `
import { dag, bash, chain } from "flow";
const flaky = bash("flaky", 'sleep 0.2; echo "$FLOW_TRY_NUMBER" > try.txt; [ "$FLOW_TRY_NUMBER" = 2 ]', { retries: 1, retryDelay: 0 });
const next = bash("next", 'echo "next after try $(cat try.txt)" >> next.txt');
chain(flaky, next);
export default dag({ id: "flaky", tasks: [flaky, next] });
`,
    });
    const result = await project.flow(["run", "flaky", "--date", DATE]);
    expect(result.exitCode, result.stderr).toBe(0);
    const tasks = await storedTasks("flaky");
    expect(tasks.flaky).toMatchObject({ state: "success", try_number: 2 });
    expect(tasks.next).toMatchObject({ state: "success", try_number: 1 });
    expect(await project.read("next.txt")).toBe("next after try 2\n");
  });

  it("a queued task's time limit counts from its start, not from when it was queued", async () => {
    project = await makeProject({
      "pipelines/slow.ts": `
import { dag, bash, chain } from "flow";
const first = bash("first", "sleep 1.5");
const second = bash("second", "sleep 0.3", { timeout: "1s" });
chain(first, second);
export default dag({ id: "slow", tasks: [first, second] });
`,
    });
    const result = await project.flow(["run", "slow", "--date", DATE]);
    expect(result.exitCode, result.stderr).toBe(0);
    const tasks = await storedTasks("slow");
    // Queued during first's 1.5 s and never stopped by its 1 s limit.
    expect(tasks.second).toMatchObject({ state: "success", try_number: 1 });
    expect(tasks.second!.queued_at).toBeDefined();
  });

  it("a task ready on its own is not queued behind the one before it: it runs once", async () => {
    project = await makeProject({
      "pipelines/ready.ts": `
import { dag, bash } from "flow";
const a = bash("a", "sleep 0.3");
const b = bash("b", "echo b >> b.txt", { upstream: [a], triggerRule: "always" });
export default dag({ id: "ready", maxActiveTasks: 1, tasks: [a, b] });
`,
    });
    const result = await project.flow(["run", "ready", "--date", DATE]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await project.read("b.txt")).toBe("b\n");
    expect((await storedTasks("ready")).b).toMatchObject({ state: "success", try_number: 1 });
  });

  it("a task stopped at its time limit never starts the next, even when it exits 0", async () => {
    project = await makeProject({
      "pipelines/stopped.ts": `
import { dag, bash, chain } from "flow";
const a = bash("a", "trap 'exit 0' TERM; sleep 5 & wait", { timeout: "1s" });
const b = bash("b", "touch b.ran");
chain(a, b);
export default dag({ id: "stopped", tasks: [a, b] });
`,
    });
    const result = await project.flow(["run", "stopped", "--date", DATE]);
    expect(result.exitCode).toBe(1);
    const tasks = await storedTasks("stopped");
    expect(tasks.a).toMatchObject({ state: "failed", reason: "timed out after 1s" });
    expect(tasks.b).toMatchObject({ state: "upstream_failed", try_number: 0 });
    expect(existsSync(join(project.dir, "b.ran"))).toBe(false);
  });
});
