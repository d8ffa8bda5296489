import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type FlowResult, type Project } from "./harness.js";

// console.* in a function task, a sensor's poke or a callback goes to that try's log, through its
// mask, as Airflow's task stdout goes through its secrets masker; never to flow's own stdout.
const PASSWORD = "ConsolePw42";

const PIPELINE = `
import { bash, dag, fn, sensor } from "flow";
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
export default dag({
  id: "talk",
  tasks: [
    fn("say", async () => {
      console.log("hello from task");
      await pause();
      console.warn("warned after an await");
      console.error("error", { n: 1 });
      return 1;
    }),
    fn("leak", async (ctx) => {
      const c = ctx.connection("api");
      await pause();
      console.log("pw", c.password);
    }),
    fn("other", async () => {
      for (let i = 0; i < 3; i++) {
        console.log("other line", i);
        await pause();
      }
    }),
    sensor("wait", () => {
      console.info("poking");
      return true;
    }, { pokeInterval: "1s" }),
    bash("built", () => {
      console.log("building the command");
      return "echo built";
    }),
    fn("called_back", () => 2, {
      onSuccess: async () => {
        await pause();
        console.log("from the callback");
      },
    }),
  ],
});
`;

let project: Project;
let run: FlowResult;
const env = { FLOW_CONN_API: `http://user:${PASSWORD}@127.0.0.1:1/` };

beforeAll(async () => {
  project = await makeProject({ "pipelines/talk.ts": PIPELINE });
  run = await project.flow(["run", "talk", "--date", "2026-01-02", "--json"], { env });
});
afterAll(async () => {
  await project?.cleanup();
});

const logOf = async (task: string): Promise<string> =>
  (await project.flow(["logs", "talk", task])).stdout;

describe("console output of in-process task code", () => {
  it("flow run --json prints JSON only: the tasks' console output is not on stdout or stderr", () => {
    expect(run.exitCode, run.stderr).toBe(0);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
    for (const text of ["hello", "warned", "other line", "poking", "building", "from the callback"])
      expect(run.stdout + run.stderr).not.toContain(text);
  });

  it("goes to the try's log with a level per method, across awaits", async () => {
    const log = await logOf("say");
    expect(log).toMatch(/INFO hello from task$/m);
    expect(log).toMatch(/WARN warned after an await$/m);
    expect(log).toMatch(/ERROR error \{ n: 1 \}$/m);
    expect(log).not.toContain("other line");
    expect(await logOf("other")).toMatch(/other line 0[\s\S]*other line 1[\s\S]*other line 2/);
  });

  it("is masked: a connection's password printed with console.log is *** in the log, nowhere in clear", async () => {
    expect(await logOf("leak")).toMatch(/INFO pw \*\*\*$/m);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it("a sensor's poke, a bash command function and a task callback write to the try's log too", async () => {
    expect(await logOf("wait")).toMatch(/INFO poking$/m);
    expect(await logOf("built")).toMatch(/INFO building the command\nbuilt$/m);
    expect(await logOf("called_back")).toMatch(/INFO from the callback$/m);
  });

  it("flow test shows console output through the log, masked", async () => {
    const test = await project.flow(["test", "talk", "leak", "--date", "2026-01-02"], { env });
    expect(test.exitCode, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/INFO pw \*\*\*$/m);
    expect(test.stdout + test.stderr).not.toContain(PASSWORD);
  });
});
