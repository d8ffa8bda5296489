import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { call, ETL, runPath, startUi, type UiProcess } from "./ui-server.js";

// The request checks of `flow ui`: token, Host (DNS rebinding), Origin (cross-site requests),
// method (405). Each refusal leaves the state dir exactly as it was.
let project: Project;
let ui: UiProcess;

beforeAll(async () => {
  project = await makeProject({ "pipelines/etl.ts": ETL, ok: "" });
  expect((await project.flow(["run", "etl", "--date", "2026-01-01"])).exitCode).toBe(0);
  ui = await startUi(project);
}, 60_000);

afterAll(async () => {
  if (ui) expect(await ui.stop()).toBe(0);
  await project?.cleanup();
});

const TRIGGER = "/api/dags/etl/runs";
const RUN = "manual__2026-01-01T00:00:00+00:00";

describe("flow ui: security", () => {
  it("prints a loopback URL with a fresh 32-hex-digit token", () => {
    expect(ui.origin).toBe(`http://127.0.0.1:${ui.port}`);
    expect(ui.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it("reads on loopback without the token, and from localhost too", async () => {
    expect((await call(ui, "/api/dags")).status).toBe(200);
    const local = await call(ui, "/api/dags", { headers: { host: `localhost:${ui.port}` } });
    expect(local.status).toBe(200);
  });

  it.each([
    ["no token", { token: null }, 401, "missing token"],
    ["a wrong token", { token: "0".repeat(32) }, 403, "wrong token"],
    ["a token of another length", { token: "abc" }, 403, "wrong token"],
    ["a foreign Origin", { headers: { origin: "http://evil.example" } }, 403, "origin"],
    ["a look-alike Origin", { headers: { origin: "http://127.0.0.1:1" } }, 403, "origin"],
    ["a foreign Host", { headers: { host: "evil.example" } }, 403, "host"],
    ["a Host on another port", { headers: { host: "127.0.0.1:1" } }, 403, "host"],
    [
      "a form's content type",
      { headers: { "content-type": "text/plain" } },
      400,
      "application/json",
    ],
    ["a body that is not JSON", { raw: "{nope" }, 400, "not valid JSON"],
    ["a JSON array", { raw: "[]" }, 400, "JSON object"],
    ["a body over 64 KiB", { raw: `{"date": "${"x".repeat(70_000)}"}` }, 413, "over 65536 bytes"],
    ["an unknown field", { body: { when: "2026-01-02" } }, 400, 'unknown field "when"'],
    ["a bad date", { body: { date: "2026-02-30" } }, 400, "not a valid date"],
    ["params that are not an object", { body: { params: [1] } }, 400, '"params"'],
    ["a date that has its run", { body: { date: "2026-01-01" } }, 409, "exists"],
  ])("refuses a POST with %s and changes nothing", async (_name, options, status, message) => {
    const before = await project.snapshotState();
    const reply = await call(ui, TRIGGER, { body: {}, ...options });
    expect(reply.status).toBe(status);
    expect(reply.json.error).toContain(message);
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    expect(await project.snapshotState()).toEqual(before);
  });

  it("accepts its own Origin on a POST (then refuses the date that has its run)", async () => {
    const reply = await call(ui, TRIGGER, {
      body: { date: "2026-01-01" },
      headers: { origin: ui.origin },
    });
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({
      error: expect.stringContaining("manual__2026-01-01T00:00:00+00:00"),
      hint: expect.stringContaining("flow run etl --run"),
    });
  });

  it("checks the Host of every request: pages, the event stream, a GET with a good token", async () => {
    for (const path of ["/", "/static/app.js", "/api/dags", `/api/events?token=${ui.token}`]) {
      const reply = await call(ui, path, { headers: { host: "rebound.example:80" } });
      expect(reply.status, path).toBe(403);
    }
  });

  it("does not answer a GET with an action", async () => {
    const reply = await call(ui, TRIGGER);
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("POST");
  });
});

// A URL the server has, asked with a method it does not take: 405 with an Allow header listing
// the ones it does (RFC 9110), not 404 "no such URL".
describe("flow ui: methods", () => {
  it.each([
    ["GET", runPath("etl", RUN, "/retry"), "POST"],
    ["GET", runPath("etl", RUN, "/mark"), "POST"],
    ["GET", "/api/dags/etl/clear", "POST"],
    ["GET", TRIGGER, "POST"],
    ["POST", "/api/dags", "GET, HEAD"],
    ["POST", runPath("etl", RUN), "GET, HEAD"],
    ["DELETE", runPath("etl", RUN), "GET, HEAD"],
    ["PUT", "/api/dags/etl/grid", "GET, HEAD"],
    ["DELETE", "/api/events", "GET, HEAD"],
    ["POST", "/dags/etl", "GET, HEAD"],
    ["PATCH", "/static/app.js", "GET, HEAD"],
  ])("answers %s %s with 405 and Allow: %s", async (method, path, allow) => {
    const before = await project.snapshotState();
    const reply = await call(ui, path, { method, token: ui.token });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe(allow);
    expect(reply.json).toEqual({ error: `${method} is not allowed on ${path}: it takes ${allow}` });
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    expect(await project.snapshotState()).toEqual(before);
  });

  it("still answers a URL no route has with 404, and HEAD where GET is", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const reply = await call(ui, "/api/nothing", { method, token: ui.token });
      expect(reply.status).toBe(404);
      expect(reply.headers.allow).toBeUndefined();
      expect(reply.json.error).toBe(`no such URL: ${method} /api/nothing`);
    }
    const head = await call(ui, "/api/dags", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
  });

  it("checks the token before the method: a POST without it is 401 wherever it goes", async () => {
    expect((await call(ui, "/api/dags", { method: "POST", token: null })).status).toBe(401);
  });
});

describe("flow ui --host beyond loopback", () => {
  it("warns, and reads need the token too", async () => {
    const exposed = await startUi(project, ["--host", "0.0.0.0"]);
    try {
      const headers = { host: `0.0.0.0:${exposed.port}` };
      expect((await call(exposed, "/api/dags", { headers })).status).toBe(401);
      const wrong = await call(exposed, "/api/dags", { headers, token: "f".repeat(32) });
      expect(wrong.status).toBe(403);
      expect((await call(exposed, "/api/dags", { headers, token: exposed.token })).status).toBe(
        200,
      );
      const events = await call(exposed, "/api/events", { headers });
      expect(events.status).toBe(401);
      // On every address: any IP address of the machine with the port, never a name.
      const token = exposed.token;
      const lan = { host: `192.168.1.5:${exposed.port}` };
      expect((await call(exposed, "/api/dags", { headers: lan, token })).status).toBe(200);
      const name = { host: `rebound.example:${exposed.port}` };
      expect((await call(exposed, "/api/dags", { headers: name, token })).status).toBe(403);
    } finally {
      expect(await exposed.stop()).toBe(0);
    }
    const { stderr } = await exposed.child;
    expect(stderr).toContain("flow ui: warning: listening on 0.0.0.0");
  });

  it("--open without any browser opener still serves", async () => {
    const opened = await startUi(project, ["--open"], { PATH: "/nonexistent" });
    try {
      expect((await call(opened, "/api/dags")).status).toBe(200);
    } finally {
      expect(await opened.stop()).toBe(0);
    }
  });

  it("refuses a bad --port as a usage error", async () => {
    const result = await project.flow(["ui", "--port", "http"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--port must be a whole number");
  });
});
