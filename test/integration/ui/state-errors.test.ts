import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeProject, type Project } from "../../e2e/harness.js";
import { call, ETL, runPath, startUi, type UiProcess } from "./ui-server.js";

// One run file that is not JSON: the DAG list still answers for every DAG, the broken DAG
// carrying the CLI's one-line message, and that DAG's own endpoints say so (409, not a 500).
// Nothing under state/ is written, least of all the broken file.
let project: Project;
let ui: UiProcess;
const BROKEN_RUN = "manual__2026-01-02T00:00:00+00:00";
const OTHER = `
import { dag, bash } from "flow";
export default dag({ id: "other", tasks: [bash("t", "true")] });
`;

beforeAll(async () => {
  project = await makeProject({ "pipelines/etl.ts": ETL, "pipelines/other.ts": OTHER, ok: "" });
  for (const args of [
    ["run", "etl", "--date", "2026-01-01"],
    ["run", "etl", "--date", "2026-01-02"],
    ["run", "other", "--date", "2026-01-01"],
  ])
    expect((await project.flow(args)).exitCode).toBe(0);
  await project.write(`state/runs/etl/${BROKEN_RUN}.json`, '{"version": 2, "run": {"dag_');
  ui = await startUi(project);
}, 60_000);

afterAll(async () => {
  if (ui) expect(await ui.stop()).toBe(0);
  await project?.cleanup();
});

// What `flow list` says about the broken file, without "flow: ": the message the view shows.
async function cliMessage(): Promise<string> {
  const cli = await project.flow(["list"]);
  expect(cli.exitCode).toBe(4);
  const [line] = cli.stderr.split("\n");
  expect(line).toMatch(/^flow: .*manual__2026-01-02.*\.json: not valid JSON .*fix or remove it$/);
  return line!.slice("flow: ".length);
}

describe("flow ui: a run file flow cannot read", () => {
  it("lists every DAG (200), the broken one with the CLI's message as its error", async () => {
    const message = await cliMessage();
    const before = await project.snapshotState();
    const reply = await call(ui, "/api/dags");
    expect(reply.status).toBe(200);
    const [etl, other] = reply.json.dags;
    expect(etl).toMatchObject({
      dag_id: "etl",
      schedule: "@daily",
      last_runs: [],
      total_runs: 0,
      next_run: null,
      error: message,
    });
    expect(other).toMatchObject({ dag_id: "other", total_runs: 1, error: null });
    expect(other.last_runs).toEqual([expect.objectContaining({ state: "success" })]);
    expect(reply.json.import_errors).toEqual([]);
    expect(await project.snapshotState()).toEqual(before);
  });

  it.each([
    ["the grid", "/api/dags/etl/grid"],
    ["the graph", "/api/dags/etl/graph"],
    ["the run", runPath("etl", BROKEN_RUN)],
  ])(
    "answers %s of the broken DAG with 409 and that message, one line on stderr",
    async (_n, path) => {
      const message = await cliMessage();
      const before = await project.snapshotState();
      const reply = await call(ui, path);
      expect(reply.status).toBe(409);
      expect(reply.json).toEqual({ error: message });
      // The server's stderr comes through a pipe of its own: it may arrive after the reply.
      const brokenLines = (): string[] =>
        ui
          .stderr()
          .split("\n")
          .filter((line) => line.includes(BROKEN_RUN));
      await vi.waitFor(() => expect(brokenLines().length).toBeGreaterThan(0), { timeout: 5_000 });
      const lines = brokenLines();
      for (const line of lines) expect(line).toBe(`flow ui: ${message}`);
      expect(ui.stderr()).not.toContain("internal error");
      expect(await project.snapshotState()).toEqual(before);
    },
  );

  it("refuses actions on the broken run (409) and leaves its bytes as they were", async () => {
    const before = await project.snapshotState();
    const retry = await call(ui, runPath("etl", BROKEN_RUN, "/retry"), { body: {} });
    expect(retry.status).toBe(409);
    expect(retry.json.error).toBe(await cliMessage());
    expect(await project.snapshotState()).toEqual(before);
  });
});
