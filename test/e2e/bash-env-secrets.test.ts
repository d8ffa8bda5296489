import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";
import { listFiles } from "./helpers-files.js";

// Bash tasks get no connections (README): their output reaches the log unmasked, so `env` or
// `set -x` would print a password. flow's own FLOW_CONN_* (and a Redis URL with a password) must
// not reach their environment, through either helper; flow itself still reads them.
const PIPELINE = `
import { bash, dag, fn } from "flow";
export default dag({
  id: "envs",
  tasks: [
    bash("dump", 'env | sort; set -x; echo "conn=[$FLOW_CONN_API] redis=[$FLOW_REDIS_URL]"'),
    fn("uses_conn", (ctx) => ctx.connection("api").host),
  ],
});
`;
const PASSWORD = "BashPw77x";
const REDIS_PASSWORD = "RedisPw88y";

const projects: Project[] = [];
afterAll(async () => {
  for (const project of projects) await project.cleanup();
});

describe("bash tasks do not inherit the variables flow reads secrets from", () => {
  it.each([
    ["the native spawner", "native"],
    ["the sh helper", "sh"],
  ])("%s", async (_name, spawner) => {
    const project = await makeProject({ "pipelines/envs.ts": PIPELINE });
    projects.push(project);
    const result = await project.flow(["run", "envs", "--date", "2026-01-02"], {
      env: {
        FLOW_BASH_SPAWNER: spawner,
        FLOW_CONN_API: `http://user:${PASSWORD}@api.example.com/v1`,
        FLOW_REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:1`,
        TEST_KEPT: "kept-value",
      },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const log = (await project.flow(["logs", "envs", "dump"])).stdout;
    expect(log).toContain("TEST_KEPT=kept-value");
    expect(log).toContain("FLOW_TASK_ID=dump");
    expect(log).toContain("conn=[] redis=[]");
    expect(log).not.toContain("FLOW_CONN_");
    let state = "";
    for (const path of await listFiles(project.stateDir))
      state += await readFile(join(project.stateDir, path), "utf8");
    expect(state).not.toContain(PASSWORD);
    expect(state).not.toContain(REDIS_PASSWORD);
    expect(state).toContain('"result": "api.example.com"');
  });
});
