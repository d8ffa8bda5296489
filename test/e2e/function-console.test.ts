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
    fn("write", async (ctx) => {
      process.stdout.write("downloading... ");
      await pause();
      process.stdout.write(Buffer.from("done\\nrows: 3\\n"));
      const price = new TextEncoder().encode("price: 5 €\\n");
      process.stdout.write(price.subarray(0, price.length - 2)); // cut inside the euro sign
      process.stdout.write(price.subarray(price.length - 2));
      process.stderr.write("7761726e696e670a", "hex");
      const pw = ctx.connection("api").password ?? "";
      process.stdout.write(\`pw \${pw.slice(0, 3)}\`);
      process.stdout.write(\`\${pw.slice(3)}\\n\`);
      // The callbacks must be called, or the task would wait for ever.
      await new Promise((resolve) => process.stdout.write("with a callback\\n", resolve));
      await new Promise((resolve) => process.stderr.write("and an encoding\\n", "utf8", resolve));
      process.stdout.write("no newline at the end");
    }, { timeout: "10s" }),
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
    for (const text of [
      "hello",
      "warned",
      "other line",
      "poking",
      "building",
      "from the callback",
      "downloading",
      "warning",
      "no newline",
    ])
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

  it("writes to process.stdout and process.stderr go to the log too: by line, decoded, masked, callbacks called", async () => {
    const { tasks } = JSON.parse(run.stdout).runs[0] as {
      tasks: Record<string, { state: string }>;
    };
    expect(tasks.write?.state).toBe("success");
    const log = await logOf("write");
    expect(log).toMatch(/INFO downloading\.\.\. done\nrows: 3$/m);
    expect(log).toMatch(/INFO price: 5 €$/m);
    expect(log).toMatch(/WARN warning$/m);
    expect(log).toMatch(/INFO pw \*\*\*$/m);
    expect(log).toMatch(/INFO with a callback$/m);
    expect(log).toMatch(/WARN and an encoding$/m);
    // A line without its newline is written when the try ends (execa drops the last newline).
    expect(log).toMatch(/INFO no newline at the end$/);
    expect(log).not.toContain(PASSWORD);
  });

  it("leaves flow's own output alone: progress lines and the report still reach stdout", async () => {
    const plain = await project.flow(["run", "talk", "--date", "2026-01-03"], { env });
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/ write {2}success in /);
    expect(plain.stdout).toMatch(/run \S+ success in /);
    for (const text of ["downloading", "warning", "no newline"])
      expect(plain.stdout + plain.stderr).not.toContain(text);
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
