import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, statusJson, type Project } from "./harness.js";
import { listFiles } from "./helpers-files.js";
import { startHttpServer, type TestHttpServer } from "./helpers-servers.js";

// A password written into an http task's url (instead of a connection) must never reach the
// terminal, a log or the state dir: fetch refuses such a URL with an error that quotes it whole.
const PASSWORD = "UrlPass55";

let server: TestHttpServer;
const projects: Project[] = [];

beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(async () => {
  await server?.close();
  for (const project of projects) await project.cleanup();
});

async function stateText(project: Project): Promise<string> {
  let text = "";
  for (const path of await listFiles(project.stateDir))
    text += await readFile(join(project.stateDir, path), "utf8");
  return text;
}

describe("credentials in an http task's url", () => {
  it("a static url with a login and password is a validation error that does not quote the password", async () => {
    const project = await makeProject({
      "pipelines/calls.ts": `
import { dag, http } from "flow";
export default dag({
  id: "calls",
  tasks: [http("creds_in_url", { url: "http://inurl:${PASSWORD}@127.0.0.1:${server.port}/status/500" })],
});
`,
    });
    projects.push(project);
    const result = await project.flow(["run", "calls", "--date", "2026-01-05"]);
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `task "creds_in_url": url "http://127.0.0.1:${server.port}/status/500" has a login or password in it: put credentials in a connection`,
    );
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(await stateText(project)).not.toContain(PASSWORD);
    expect(server.requests).toHaveLength(0);
  });

  it("a url computed when the try runs fails the try without retry, its reason and log without the userinfo", async () => {
    const project = await makeProject({
      "pipelines/calls.ts": `
import { dag, http } from "flow";
export default dag({
  id: "calls",
  tasks: [
    http("creds_in_url", {
      url: () => "http://inurl:${PASSWORD}@127.0.0.1:${server.port}/status/500",
      retries: 2,
      retryDelay: "0s",
    }),
  ],
});
`,
    });
    projects.push(project);
    const result = await project.flow(["run", "calls", "--date", "2026-01-05"]);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    const run = (await statusJson(project, "calls")).runs[0]!;
    const task = run.tasks.creds_in_url as { state: string; try_number: number; reason: string };
    expect(task).toMatchObject({ state: "failed", try_number: 1 });
    expect(task.reason).toBe(
      `url "http://127.0.0.1:${server.port}/status/500" has a login or password in it: put credentials in a connection (FLOW_CONN_<ID> or the state dir's connections.json) and give its id as \`connection\` (no retry)`,
    );
    expect(await stateText(project)).not.toContain(PASSWORD);
    expect(await stateText(project)).not.toContain("inurl");
    expect(server.requests).toHaveLength(0);
  });
});
