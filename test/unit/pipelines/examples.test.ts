// The example pipelines as a new user meets them: their DAG shape, and one pass through their
// tasks in order with the FLOW_* variables a runner sets, in a temp data folder. The runner's own
// end-to-end tests cover `flow run`; this checks the examples without it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DagDefinition, Json, Task, TaskContext } from "flow";

const dataDirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Imports a pipeline afresh with FLOW_DATA_DIR pointing at a new temp folder.
async function load(
  name: string,
  env: Record<string, string> = {},
): Promise<{ dag: DagDefinition; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), `flow-${name}-`));
  dataDirs.push(dataDir);
  vi.stubEnv("FLOW_DATA_DIR", dataDir);
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  const module = (await import(`../../../pipelines/${name}.ts`)) as { default: DagDefinition };
  return { dag: module.default, dataDir };
}

const PIPELINES_DIR = fileURLToPath(new URL("../../../pipelines/", import.meta.url));

const upstreamIds = (task: Task) =>
  task.upstreamRefs.map((ref) => (typeof ref === "string" ? ref : ref.id));

// Runs the tasks in the order listed (both examples are a straight chain), as a runner would.
async function runInOrder(
  dag: DagDefinition,
  ds: string,
): Promise<{ results: Record<string, Json>; stdout: string }> {
  const start = `${ds}T00:00:00.000Z`;
  const end = new Date(Date.parse(start) + 86_400_000).toISOString();
  const results: Record<string, Json> = {};
  let stdout = "";
  for (const task of dag.options.tasks) {
    const ctx = {
      dagId: dag.id,
      runId: `manual__${ds}`,
      runType: "manual",
      taskId: task.id,
      tryNumber: 1,
      maxTries: 1,
      logicalDate: start,
      ds,
      dsNodash: ds.replaceAll("-", ""),
      ts: `${ds}T00:00:00+00:00`,
      tsNodash: `${ds.replaceAll("-", "")}T000000`,
      dataIntervalStart: start,
      dataIntervalEnd: end,
      prevDataIntervalStart: null,
      prevDataIntervalEnd: null,
      nextDataIntervalStart: null,
      nextDataIntervalEnd: null,
      params: {},
      upstream: { ...results },
      pull: (id: string) => results[id],
      log: { info: () => {}, warn: () => {}, error: () => {} },
      signal: new AbortController().signal,
      connection: (id: string) => {
        throw new Error(`the examples use no connection, asked for "${id}"`);
      },
      pipelineDir: PIPELINES_DIR,
      runtime: {
        pipelineDir: PIPELINES_DIR,
        taskState: () => Promise.resolve(undefined),
        findDag: () => Promise.resolve({ kind: "unknown", dagIds: [] }),
      },
    } satisfies TaskContext;
    if (task.kind === "function") {
      results[task.id] = (await task.run!(ctx)) as Json;
      continue;
    }
    const command = typeof task.command === "function" ? task.command(ctx) : task.command!;
    const shell = spawnSync("bash", ["-c", command], {
      encoding: "utf8",
      env: {
        ...process.env,
        ...task.bash?.env,
        FLOW_DAG_ID: dag.id,
        FLOW_RUN_ID: ctx.runId,
        FLOW_TASK_ID: task.id,
        FLOW_TRY_NUMBER: "1",
        FLOW_LOGICAL_DATE: start,
        FLOW_DS: ds,
        FLOW_DS_NODASH: ctx.dsNodash,
        FLOW_TS: ctx.ts,
        FLOW_DATA_INTERVAL_START: start,
        FLOW_DATA_INTERVAL_END: end,
        FLOW_PARAMS: "{}",
      },
    });
    expect(shell.stderr, `${task.id} stderr`).toBe("");
    expect(shell.status, `${task.id} exit code`).toBe(0);
    stdout += shell.stdout;
  }
  return { results, stdout };
}

describe("rocket_launches", () => {
  it("is a manual DAG download_launches -> get_pictures -> notify", async () => {
    const { dag } = await load("rocket_launches");
    expect(dag.id).toBe("rocket_launches");
    expect(dag.options.schedule ?? null).toBeNull();
    expect(dag.options.tasks.map((task) => [task.id, task.kind, upstreamIds(task)])).toEqual([
      ["download_launches", "function", []],
      ["get_pictures", "function", ["download_launches"]],
      ["notify", "bash", ["get_pictures"]],
    ]);
  });

  it("mails a failed run only when ROCKET_ALERT_TO is set", async () => {
    expect((await load("rocket_launches", { ROCKET_ALERT_TO: "" })).dag.options.onFailure).toBe(
      undefined,
    );
    vi.resetModules();
    const { dag } = await load("rocket_launches", { ROCKET_ALERT_TO: "ops@example.com" });
    expect(typeof dag.options.onFailure).toBe("function");
  });

  it("downloads the bundled fixture and its pictures with no network", async () => {
    const { dag, dataDir } = await load("rocket_launches", { LAUNCH_API_URL: "" });
    const { results, stdout } = await runInOrder(dag, "2026-01-05");
    expect(results).toEqual({
      download_launches: { path: join(dataDir, "launches.json"), bytes: 6498, status: 200 },
      get_pictures: { pictures: 5, failed: 0 },
    });
    expect(readdirSync(join(dataDir, "images")).sort()).toEqual([
      "apollo-11.png",
      "falcon-heavy-demo.png",
      "sputnik-1.png",
      "sts-1.png",
      "vostok-1.png",
    ]);
    expect(stdout.trim()).toBe("There are now 5 images.");
  });
});

describe("user_events", () => {
  it("is a daily DAG from 2026-01-01 without catchup: fetch_events -> calculate_stats", async () => {
    const { dag } = await load("user_events");
    expect(dag.options).toMatchObject({
      id: "user_events",
      schedule: "@daily",
      start: "2026-01-01",
      catchup: false,
    });
    expect(dag.options.tasks.map((task) => [task.id, task.kind, upstreamIds(task)])).toEqual([
      ["fetch_events", "bash", []],
      ["calculate_stats", "function", ["fetch_events"]],
    ]);
  });

  it("writes the day's events and stats, and the same files again on a rerun", async () => {
    const { dag, dataDir } = await load("user_events", { USER_EVENTS_URL: "" });
    const first = await runInOrder(dag, "2026-01-05");
    expect(first.results).toEqual({ calculate_stats: { users: 11, events: 53 } });
    const events = readFileSync(join(dataDir, "events", "2026-01-05.json"), "utf8");
    const stats = readFileSync(join(dataDir, "stats", "2026-01-05.csv"), "utf8");
    expect(stats.split("\n")[0]).toBe(
      "date,user,events,first_event,last_event,add_to_cart,click,page_view,purchase",
    );

    await runInOrder(dag, "2026-01-05");
    expect(readFileSync(join(dataDir, "events", "2026-01-05.json"), "utf8")).toBe(events);
    expect(readFileSync(join(dataDir, "stats", "2026-01-05.csv"), "utf8")).toBe(stats);
    expect(readdirSync(join(dataDir, "events"))).toEqual(["2026-01-05.json"]);
    expect(readdirSync(join(dataDir, "stats"))).toEqual(["2026-01-05.csv"]);
  });
});
