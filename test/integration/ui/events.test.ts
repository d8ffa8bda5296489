import { request, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { call, ETL, startUi, type UiProcess } from "./ui-server.js";

// GET /api/events: a run started on the side with `flow run` is pushed as it progresses, up to
// its end; a new pipeline file is an `event: dags`.
let project: Project;
let ui: UiProcess;

beforeAll(async () => {
  project = await makeProject({ "pipelines/etl.ts": ETL, ok: "" });
  ui = await startUi(project);
}, 60_000);

afterAll(async () => {
  if (ui) expect(await ui.stop()).toBe(0);
  await project?.cleanup();
});

interface SseEvent {
  readonly event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly data: any;
}

/** An open event stream: the events parsed so far, and a wait for one that matches. */
function openEvents(path: string) {
  const events: SseEvent[] = [];
  const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  let response: IncomingMessage | undefined;
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: ui.port, path, headers: { host: `127.0.0.1:${ui.port}` } },
      (res) => {
        response = res;
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === undefined || data === undefined) continue;
            const parsed = { event, data: JSON.parse(data) };
            events.push(parsed);
            for (const waiter of [...waiters])
              if (waiter.match(parsed)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(parsed);
              }
          }
        });
        resolve(res);
      },
    );
    req.on("error", reject);
    req.end();
  });
  return {
    opened,
    events,
    next(match: (e: SseEvent) => boolean, timeoutMs = 20_000): Promise<SseEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no such event; got ${JSON.stringify(events).slice(0, 800)}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    close: () => response?.destroy(),
  };
}

describe("flow ui: live events", () => {
  it("pushes a run started on the side until it ends in success", async () => {
    const stream = openEvents(`/api/events?token=${ui.token}`);
    const res = await stream.opened;
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    try {
      const run = await project.flow(["run", "etl", "--date", "2026-01-01"]);
      expect(run.exitCode).toBe(0);
      const id = "manual__2026-01-01T00:00:00+00:00";
      const done = await stream.next(
        (e) => e.event === "run" && e.data.run_id === id && e.data.state === "success",
      );
      expect(done.data).toMatchObject({ dag_id: "etl", run_type: "manual" });
      expect(Object.keys(done.data.tasks)).toEqual(["extract", "transform", "load"]);
      expect(done.data.tasks.load.state).toBe("success");
      // The new DAG folder (the first run of the DAG) is announced too.
      await stream.next((e) => e.event === "dags");
      // A second run, in the folder now watched: its changes come from its own files.
      const second = project.flow(["run", "etl", "--date", "2026-01-02"]);
      const id2 = "manual__2026-01-02T00:00:00+00:00";
      await stream.next(
        (e) => e.event === "run" && e.data.run_id === id2 && e.data.state === "success",
      );
      expect((await second).exitCode).toBe(0);
    } finally {
      stream.close();
    }
  });

  it("announces a pipeline change as an `event: dags`", async () => {
    const stream = openEvents("/api/events");
    await stream.opened;
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await project.write("pipelines/other.ts", ETL.replace('id: "etl"', 'id: "other"'));
      await stream.next((e) => e.event === "dags");
    } finally {
      stream.close();
    }
    const dags = await call(ui, "/api/dags");
    expect(dags.json.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(["etl", "other"]);
  });

  it("refuses a stream asked for under another Host", async () => {
    const reply = await call(ui, `/api/events?token=${ui.token}`, {
      headers: { host: "rebound.example" },
    });
    expect(reply.status).toBe(403);
  });

  it("stops with exit 0 on SIGTERM while a stream is open", async () => {
    const other = await startUi(project);
    const stream = openEvents("/api/events");
    // openEvents talks to `ui`: point a second stream at `other` by hand.
    const res = await new Promise<IncomingMessage>((resolve) =>
      request(
        {
          host: "127.0.0.1",
          port: other.port,
          path: "/api/events",
          headers: { host: `127.0.0.1:${other.port}` },
        },
        resolve,
      ).end(),
    );
    expect(res.statusCode).toBe(200);
    const ended = new Promise((resolve) => res.on("close", resolve));
    expect(await other.stop()).toBe(0);
    await ended;
    stream.close();
  });
});
