import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

// httpSensor against a real HTTP server on loopback: "not yet" until the endpoint is ready.

let project: Project;
let server: Server | undefined;
afterEach(async () => {
  await project?.cleanup();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

// Answers 503 to the first `notReady` requests, then 200 with a JSON body.
async function endpoint(notReady: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = createServer((_request, response) => {
    hits++;
    if (hits <= notReady) response.writeHead(503).end("starting");
    else response.writeHead(200, { "content-type": "application/json" }).end('{"ready":true}');
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, hits: () => hits };
}

describe("httpSensor", () => {
  it.each(["poke", "reschedule"])(
    "%s mode: pokes until the endpoint answers 2xx; the body becomes the result",
    async (mode) => {
      const { url, hits } = await endpoint(2);
      project = await makeProject({
        "pipelines/wait.ts": `import { dag, httpSensor, fn } from "flow";
const up = httpSensor("up", { url: process.env.TEST_URL, responseAs: "json", pokeInterval: "100ms", timeout: "20s", mode: "${mode}" });
const use = fn("use", async (ctx) => ctx.upstream.up, { upstream: [up] });
export default dag({ id: "wait", tasks: [up, use] });
`,
      });
      const run = await project.flow(["run", "wait", "--json"], { env: { TEST_URL: url } });
      expect(run.exitCode, run.stderr).toBe(0);
      const tasks = JSON.parse(run.stdout).runs[0].tasks;
      expect(tasks.up).toMatchObject({ state: "success", result: { ready: true } });
      expect(tasks.use.result).toEqual({ ready: true });
      expect(hits()).toBe(3);
      const log = await project.flow(["logs", "wait", "up"]);
      expect(log.stdout).toMatch(/not yet: .*503/);
    },
  );

  it("times out when the endpoint never becomes ready; a bad URL is a validation error", async () => {
    const { url } = await endpoint(1_000);
    project = await makeProject({
      "pipelines/wait.ts": `import { dag, httpSensor } from "flow";
export default dag({ id: "wait", tasks: [httpSensor("up", { url: process.env.TEST_URL, pokeInterval: "100ms", timeout: "1s" })] });
`,
      "pipelines/bad.ts": `import { dag, httpSensor } from "flow";
export default dag({ id: "bad", tasks: [httpSensor("up", { url: "not a url", pokeIntervall: "1s" })] });
`,
    });
    const run = await project.flow(["run", "wait", "--json"], { env: { TEST_URL: url } });
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout).runs[0].tasks.up.reason).toMatch(/timed out/);
    const validate = await project.flow(["validate"]);
    expect(validate.exitCode).toBe(3);
    expect(validate.stderr).toMatch(/pokeIntervall.*did you mean "pokeInterval"/);
    expect(validate.stderr).toMatch(/url/);
  });
});
