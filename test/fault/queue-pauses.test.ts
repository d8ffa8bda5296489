import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { queueSetup } from "../e2e/queue/queue-helpers.js";
import { isAlive, readRawState, sleep } from "./fault-harness.js";

// A driver that stalls now and then still records every try as its worker reported it. The
// driver is frozen (SIGSTOP) for 120 ms at a time, running 15 ms in between: what a loaded
// machine or a long garbage collection does to its event loop, made frequent. Tries complete on
// the worker meanwhile; each must be recorded success at try 1 and have run once.
//
// Found by test/fault/queue-kill-9.test.ts on a loaded machine: the driver's periodic check
// reads a job (getJob: still active, no return value yet), then its state (getState: completed
// by now) and records the null return value it read first as "the worker returned no outcome
// (null)", a failed try. With retries the task runs again although it succeeded.

const TASKS = 200;
const DAG = "pauses";

describe("a driver that stalls", () => {
  it(
    "frozen 120 ms at a time while tries complete: every worker's outcome is recorded, no try runs twice",
    {
      timeout: 120_000,
    },
    async ({ expect }) => {
      const queue = await queueSetup({
        [`pipelines/${DAG}.ts`]: `
import { bash, dag } from "flow";
const tasks = Array.from({ length: ${TASKS} }, (_, i) =>
  bash(\`t\${i}\`, 'echo "$FLOW_TASK_ID $FLOW_TRY_NUMBER" >> starts.txt', { retries: 1, retryDelay: 0 }),
);
export default dag({ id: "${DAG}", tasks });
`,
      });
      try {
        await queue.worker(["--concurrency", "16"]);
        const driver = queue.project.spawn([
          "run",
          DAG,
          "--date",
          "2026-05-01",
          ...queue.queueArgs,
        ]);
        const pid = driver.pid!;
        let exited = false;
        void driver.finally(() => (exited = true));
        let pauses = 0;
        try {
          while (!exited && isAlive(pid)) {
            process.kill(pid, "SIGSTOP");
            pauses++;
            await sleep(120);
            process.kill(pid, "SIGCONT");
            await sleep(15);
          }
        } catch {
          // It ended between the check and the signal.
        } finally {
          try {
            process.kill(pid, "SIGCONT");
          } catch {
            // gone
          }
        }
        const result = await driver;
        const output = `${String(result.stdout)}\n${String(result.stderr)}`;
        const noOutcome = output.split("\n").filter((line) => line.includes("returned no outcome"));
        const run = readRawState(queue.project.stateDir).runs.get(
          `${DAG}/manual__2026-05-01T00:00:00+00:00`,
        );
        const notFirstTry = Object.values(run?.tasks ?? {})
          .filter((task) => task.state !== "success" || task.try_number !== 1)
          .map((task) => `${task.task_id} ${task.state} try ${task.try_number}`);
        const starts = readFileSync(join(queue.project.dir, "starts.txt"), "utf8")
          .split("\n")
          .filter(Boolean);
        const again = starts.filter((line) => !line.endsWith(" 1"));
        console.log(
          `fault queue pauses: ${pauses} pauses of the driver; ${noOutcome.length} "no outcome" lines, ` +
            `${notFirstTry.length} tasks not success at try 1, ${again.length} second tries started`,
        );
        expect(noOutcome, "tries recorded failed though their worker reported an outcome").toEqual(
          [],
        );
        expect(notFirstTry, "tasks not recorded success at try 1").toEqual([]);
        expect(again, "tasks started again after a success").toEqual([]);
        expect(starts).toHaveLength(TASKS);
        expect(result.exitCode, output.slice(-2000)).toBe(0);
      } finally {
        await queue.cleanup();
      }
    },
  );
});
