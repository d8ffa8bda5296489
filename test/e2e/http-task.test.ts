import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, statusJson, type Project } from "./harness.js";
import { listFiles } from "./helpers-files.js";
import {
  closedPort,
  LARGE_BODY_BYTES,
  startHttpServer,
  type TestHttpServer,
} from "./helpers-servers.js";

// http tasks against a real HTTP server on loopback, through the built binary. The connection's
// password is a value that cannot appear by chance, so a grep for it finds only a leak.
const PASSWORD = "pw-Zq8#xK2!leak";
const TOKEN = "tok-9f8e7d6c5b";

const PIPELINE = `
import { dag, fn, http } from "flow";
const base = process.env.TEST_BASE_URL;
const refused = process.env.TEST_REFUSED_URL;
export default dag({
  id: "calls",
  tasks: [
    http("ok_json", { url: base + "/ok", responseAs: "json" }),
    http("echo_post", {
      connection: "api",
      path: "echo/items",
      method: "POST",
      query: (ctx) => ({ day: ctx.ds, n: 2 }),
      headers: { "X-Custom": "yes" },
      json: { rows: [1, 2] },
      responseAs: "json",
    }),
    http("not_found", { url: base + "/status/404" }),
    http("expected_404", { url: base + "/status/404", expectedStatus: [404], responseAs: "none" }),
    http("check_false", { url: base + "/ok", check: (r) => r.json().hello === "mars" }),
    http("slow", { url: base + "/slow", timeout: "1s" }),
    http("redirect", { url: base + "/redirect", responseAs: "json" }),
    http("large", { url: base + "/large", saveTo: "../out/large.bin" }),
    http("reset", { url: base + "/reset" }),
    http("refused", { url: refused }),
    http("unknown_conn", { connection: "nope", path: "x" }),
    http("broken_conn", { connection: "broken" }),
    http("leaky_url", { url: (ctx) => base + "/boom?token=" + ctx.connection("api").extra.token }),
    fn("leaky_fn", (ctx) => {
      const { password } = ctx.connection("api");
      ctx.log.info("the password is", password);
      throw new Error("failed with " + password);
    }),
  ],
});
`;

let server: TestHttpServer;
let project: Project;
let env: Record<string, string>;
let run: Awaited<ReturnType<typeof statusJson>>["runs"][number] & {
  tasks: Record<string, { state: string; reason: string | null; result?: unknown }>;
};

beforeAll(async () => {
  server = await startHttpServer();
  project = await makeProject({ "pipelines/calls.ts": PIPELINE });
  env = {
    TEST_BASE_URL: server.url,
    TEST_REFUSED_URL: `http://127.0.0.1:${await closedPort()}/`,
    FLOW_CONN_API: `http://user:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/api?token=${TOKEN}`,
    FLOW_CONN_BROKEN: "this is not a uri",
  };
  const result = await project.flow(["run", "calls", "--date", "2026-01-05"], { env });
  expect(result.exitCode, result.stderr).toBe(1);
  run = (await statusJson(project, "calls")).runs[0] as typeof run;
});
afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

const log = (task: string): Promise<string> =>
  project.flow(["logs", "calls", task]).then((result) => result.stdout);

describe("http tasks against a loopback server", () => {
  it("a 200 JSON body becomes the task's result; the log has method, URL, status, duration and size", async () => {
    expect(run.tasks.ok_json).toMatchObject({ state: "success", result: { hello: "world" } });
    expect(await log("ok_json")).toMatch(
      new RegExp(`INFO GET ${server.url}/ok -> 200 OK in \\d+ms, 17 B$`, "m"),
    );
  });

  it("a connection gives the base URL and Basic auth; query, headers and a JSON body are sent", async () => {
    expect(run.tasks.echo_post!.state).toBe("success");
    expect(run.tasks.echo_post!.result).toEqual({
      method: "POST",
      path: "/api/echo/items",
      query: { day: "2026-01-05", n: "2" },
      authorization: `Basic ${Buffer.from(`user:${PASSWORD}`).toString("base64")}`,
      contentType: "application/json",
      custom: "yes",
      body: '{"rows":[1,2]}',
    });
    // The connection's extra goes as headers (Airflow's HttpHook), its login as Basic auth.
    expect(server.requests.find((r) => r.url.startsWith("/api/echo"))!.headers.token).toBe(TOKEN);
    expect(await log("echo_post")).toContain(
      `POST ${server.url}/api/echo/items?day=2026-01-05&n=2 -> 200 OK`,
    );
  });

  it("an unexpected status fails with the status and the first bytes of the body", () => {
    expect(run.tasks.not_found!.state).toBe("failed");
    expect(run.tasks.not_found!.reason).toMatch(
      /^HttpError: unexpected status 404 Not Found: http:\/\/127\.0\.0\.1:\d+\/status\/404: "error body from the server x+\.\.\."$/,
    );
    expect(run.tasks.not_found!.reason!.length).toBeLessThan(300);
    expect(run.tasks.expected_404).toMatchObject({ state: "success" });
    expect(run.tasks.expected_404!.result ?? null).toBeNull();
  });

  it("check returning false fails the try", () => {
    expect(run.tasks.check_false!.reason).toMatch(
      /^HttpError: check returned false \(status 200\)/,
    );
  });

  it("a slow answer is aborted by the task's timeout", () => {
    expect(run.tasks.slow).toMatchObject({ state: "failed", reason: "timed out after 1s" });
  });

  it("redirects are followed and the log names where the answer came from", async () => {
    expect(run.tasks.redirect).toMatchObject({ state: "success", result: { hello: "world" } });
    expect(await log("redirect")).toContain(
      `GET ${server.url}/redirect (redirected to ${server.url}/ok) -> 200 OK`,
    );
  });

  it("a large body goes to saveTo, relative to the pipeline's folder", async () => {
    const file = join(project.dir, "out/large.bin");
    expect(run.tasks.large).toMatchObject({
      state: "success",
      result: { path: file, bytes: LARGE_BODY_BYTES, status: 200 },
    });
    expect((await stat(file)).size).toBe(LARGE_BODY_BYTES);
    expect(await log("large")).toMatch(/-> 200 OK in \d+ms, 3\.0 MB$/m);
  });

  it("says which network failure: a reset connection, a refused one", () => {
    expect(run.tasks.reset!.reason).toMatch(/^HttpError: connection reset by the server: GET /);
    expect(run.tasks.refused!.reason).toMatch(/^HttpError: connection refused: GET /);
  });

  it("an unknown connection or a malformed URI fails the try at run time, one line, no retry", async () => {
    expect(run.tasks.unknown_conn!.reason).toBe(
      'unknown connection "nope" (known: "api", "broken"): set FLOW_CONN_NOPE or ' +
        `${join(project.stateDir, "connections.json")} (no retry)`,
    );
    expect(run.tasks.broken_conn!.reason).toBe(
      'connection "broken": not a URI of the form scheme://login:password@host:port/path?key=value (no "scheme://") (from env FLOW_CONN_BROKEN) (no retry)',
    );
    expect(await log("unknown_conn")).not.toMatch(/\n\s+at /);
  });

  it("masks the password and tokens everywhere: logs, reasons, status --json, the whole state dir", async () => {
    expect(run.tasks.leaky_fn!.reason).toBe("Error: failed with ***");
    expect(await log("leaky_fn")).toContain("INFO the password is ***");
    expect(run.tasks.leaky_url!.reason).toMatch(/^HttpError: unexpected status 503 .*token=\*\*\*/);
    const status = await project.flow(["status", "calls", "--json"]);
    const tree = await project.flow(["tree", "calls"]);
    const texts = [status.stdout, status.stderr, tree.stdout];
    for (const path of await listFiles(project.stateDir))
      texts.push(await readFile(join(project.stateDir, path), "utf8"));
    for (const text of texts) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).not.toContain(TOKEN);
    }
    // The secret did reach the server: masking hides it from flow's records only.
    expect(server.requests.some((r) => r.url === `/boom?token=${TOKEN}`)).toBe(true);
  });
});

describe("http settings checked when the pipeline loads", () => {
  it("an invalid method, URL or option is a validation error naming the file, DAG and task", async () => {
    const bad = await makeProject({
      "pipelines/bad.ts": `
import { dag, http } from "flow";
export default dag({ id: "bad", tasks: [
  http("fetch", { url: "ftp://example.com/x", method: "FETCH" }),
  http("nourl", { methd: "GET" } as never),
  http("notabsolute", { url: "/relative/path" }),
] });
`,
    });
    try {
      const result = await bad.flow(["validate"]);
      expect(result.exitCode).toBe(3);
      expect(result.stderr.trim().split("\n")).toEqual([
        'pipelines/bad.ts: dag "bad": task "fetch": method "FETCH" is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
        'pipelines/bad.ts: dag "bad": task "fetch": url scheme "ftp:" is not supported (use http:, https: or file:)',
        'pipelines/bad.ts: dag "bad": task "nourl": unknown option "methd" (did you mean "method"?)',
        'pipelines/bad.ts: dag "bad": task "nourl": needs a `url`, or a `connection` (and a `path`)',
        'pipelines/bad.ts: dag "bad": task "notabsolute": url "/relative/path" is not an absolute URL',
      ]);
    } finally {
      await bad.cleanup();
    }
  });
});
