import { afterEach, describe, expect, it } from "vitest";
import { call, startUi, type UiProcess } from "../integration/ui/ui-server.js";
import { makeProject, type Project } from "./harness.js";
import { isAlive, runningTry, waitFor } from "./processes.js";

// `slow` sleeps on its first try only, so the resumed run ends at once.
const PIPELINE = `
import { dag, bash } from "flow";
const slow = bash("slow", '[ "$FLOW_TRY_NUMBER" = 1 ] && sleep 60; echo done', { retries: 1, retryDelay: 0 });
const after = bash("after", "echo after", { upstream: [slow] });
export default dag({ id: "lost", tasks: [slow, after] });
`;

const RUN_ID = "manual__2026-04-01T00:00:00+00:00";
// The lock goes stale after 2 s and its owner refreshes it every second (test/setup-env.ts has
// cleared the FLOW_* variables of the shell).
const env = { FLOW_LOCK_STALE_MS: "2000" };

interface ShownTask {
  state: string;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  lost: boolean;
}
interface ShownRun {
  state: string;
  lost_at: string | null;
  tasks: Record<string, ShownTask>;
}

let project: Project | undefined;
let ui: UiProcess | undefined;
afterEach(async () => {
  await ui?.stop();
  ui = undefined;
  await project?.cleanup();
  project = undefined;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function flow(p: Project, args: string[]): Promise<string> {
  const result = await p.flow(args, { env });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

async function statusJson(p: Project): Promise<ShownRun> {
  return JSON.parse(await flow(p, ["status", "lost", "--json"])).runs[0];
}

describe("a run whose flow process was killed, before any writer recovers it", () => {
  it("readers show it lost, ended when the process was last seen alive: the same a second later", async () => {
    const p = (project = await makeProject({ "pipelines/lost.ts": PIPELINE }));
    const child = p.spawn(["run", "lost", "--date", "2026-04-01"], { env });
    const started = await waitFor("the try to start", () => runningTry(p, "lost", RUN_ID, "slow"));
    await pause(2_500); // the owner refreshes its lock at least twice meanwhile
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await child;
    await waitFor("the try's processes to end", async () =>
      isAlive(started.pid) ? undefined : true,
    );
    const before = await p.snapshotState();

    const first = await statusJson(p);
    const firstTable = await flow(p, ["status", "lost"]);
    const firstTree = await flow(p, ["tree", "lost"]);
    await pause(1_100);
    const second = await statusJson(p);
    expect(second).toEqual(first);
    expect(await flow(p, ["status", "lost"])).toBe(firstTable);
    expect(await flow(p, ["tree", "lost"])).toBe(firstTree);

    // Lost at the lock's last refresh: after the try started, before the kill.
    const lostAt = Date.parse(first.lost_at!);
    expect(lostAt).toBeGreaterThan(Date.parse(started.start) + 900);
    expect(lostAt).toBeLessThanOrEqual(killedAt);
    expect(first.state).toBe("queued");
    expect(first.tasks.slow).toMatchObject({
      state: "up_for_retry",
      end: first.lost_at,
      lost: true,
    });
    expect(first.tasks.slow!.duration_ms).toBe(lostAt - Date.parse(first.tasks.slow!.start!));
    expect(first.tasks.after!.lost).toBe(true); // its try was queued to follow slow's
    expect(firstTable).toMatch(/│ ◔ queued \(lost\) │ \S+ │ \d+(\.\d)?s +│/);
    expect(firstTable).toContain("│ ↻ up_for_retry (lost) │");
    expect(firstTable).toMatch(/\nrun manual__\S+ queued \(lost\) after \d+(\.\d)?s: /);
    expect(firstTree).toMatch(/^lost {2}manual__\S+ {2}queued \(lost\)\n/);
    expect(firstTree).toMatch(/↻ slow +up_for_retry \(lost, try 1\/2, \d+(\.\d)?s\)/);
    expect(await flow(p, ["list"])).toContain("│ ◔ queued (lost) │");
    expect(JSON.parse(await flow(p, ["list", "--json"])).dags[0].last_run.lost_at).toBe(
      first.lost_at,
    );

    // The web view's API: the same run, the same fixed end, looked at twice.
    ui = await startUi(p, [], env);
    const path = `/api/dags/lost/runs/${encodeURIComponent(RUN_ID)}`;
    const page = await call(ui, path);
    expect(page.status).toBe(200);
    await pause(1_100);
    expect((await call(ui, path)).json).toEqual(page.json);
    expect(page.json).toMatchObject({ state: "queued", lost_at: first.lost_at });
    expect(page.json.tasks.slow).toMatchObject({
      state: "up_for_retry",
      end: first.lost_at,
      duration_ms: first.tasks.slow!.duration_ms,
      lost: true,
    });
    const grid = await call(ui, "/api/dags/lost/grid?offset=0&limit=5");
    expect(grid.json.runs[0].lost_at).toBe(first.lost_at);
    expect((await call(ui, "/api/dags")).json.dags[0].last_runs[0].lost_at).toBe(first.lost_at);
    await ui.stop();
    ui = undefined;
    expect(await p.snapshotState()).toEqual(before); // reading wrote nothing

    // Once a writer has recovered and resumed the run, nothing is lost any more.
    await flow(p, ["run", "lost", "--run", RUN_ID]);
    const done = await statusJson(p);
    expect(done).toMatchObject({ state: "success", lost_at: null });
    expect(done.tasks.slow!.lost).toBe(false);
    expect(await flow(p, ["status", "lost"])).not.toContain("lost)");
  }, 60_000);
});
