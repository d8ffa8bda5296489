import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { queueSetup, storedRun, type QueueSetup } from "./queue-helpers.js";

// On a worker, a function task runs in a pool child whose stdout is the worker's: its console
// output and its writes to process.stdout must go to the try's log (shipped to the driver) and
// through its mask, as in flow run.
const PASSWORD = "WorkerPw42";
const PIPELINE = `
import { dag, fn } from "flow";
export default dag({
  id: "talk",
  tasks: [
    fn("leak", async (ctx) => {
      console.log("hello from task");
      process.stdout.write("written to ");
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.stdout.write("stdout\\n");
      console.log("pw", ctx.connection("api").password);
    }),
  ],
});
`;

let setup: QueueSetup | undefined;
afterEach(async () => {
  delete process.env.FLOW_CONN_API;
  await setup?.cleanup();
  setup = undefined;
});

describe("console output of a function task on a worker", () => {
  it("goes to the try's shipped log, masked, and not to the worker's output", async () => {
    // The worker reads connections from its own environment (it inherits the test's).
    process.env.FLOW_CONN_API = `http://user:${PASSWORD}@127.0.0.1:1/`;
    setup = await queueSetup({ "pipelines/talk.ts": PIPELINE });
    const { project, queueArgs } = setup;
    const worker = await setup.worker();
    const run = await project.flow(["run", "talk", "--date", "2026-01-02", ...queueArgs]);
    expect(run.exitCode, run.stderr).toBe(0);
    const log = await readFile((await storedRun(project, "talk")).tasks.leak!.log_path!, "utf8");
    expect(log).toMatch(/INFO hello from task$/m);
    expect(log).toMatch(/INFO pw \*\*\*$/m);
    expect(log).toMatch(/INFO written to stdout$/m);
    expect(worker.output()).not.toContain("hello from task");
    expect(worker.output()).not.toContain("written to");
    expect(worker.output() + run.stdout + run.stderr + log).not.toContain(PASSWORD);
  }, 60_000);
});
