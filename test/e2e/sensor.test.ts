import { rename } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor as pollFor } from "./processes.js";
import { makeProject, type Project } from "./harness.js";

// Sensors through the real binary: short intervals (100-300ms) keep each case to a few seconds.

let project: Project;
afterEach(async () => project?.cleanup());

interface TaskJson {
  state: string;
  try_number: number;
  start: string | null;
  end: string | null;
  reason: string | null;
  next_try_at: string | null;
  result: unknown;
  sensor_start: string | null;
}
interface RunJson {
  run_id: string;
  state: string;
  tasks: Record<string, TaskJson>;
}

async function runOf(dagId: string, env: Record<string, string> = {}): Promise<RunJson> {
  const result = await project.flow(["status", dagId, "--json"], { env });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout).runs[0];
}

// Every 50 ms: a sensor's states change within a poke.
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, ms?: number) =>
  pollFor(what, probe, ms, 50);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("fileSensor", () => {
  it("poke mode: done when a file appears while it pokes; the matches are its result", async () => {
    project = await makeProject({
      "pipelines/files.ts": `
import { dag, fileSensor, bash } from "flow";
const wait = fileSensor("wait", "../inbox/*.csv", { pokeInterval: "200ms", timeout: "20s" });
const load = bash("load", "echo loaded", { upstream: [wait] });
export default dag({ id: "files", tasks: [wait, load] });
`,
    });
    const child = project.spawn(["run", "files", "--date", "2026-01-01"]);
    await waitFor("the sensor to poke", async () =>
      (await runOf("files")).tasks.wait?.state === "running" ? true : undefined,
    );
    await sleep(500);
    // Both files appear at once (one rename of their folder): a poke between two writes would
    // see one only (seen in a CI run).
    await project.write("staging/b.csv", "x");
    await project.write("staging/a.csv", "x");
    await rename(join(project.dir, "staging"), join(project.dir, "inbox"));
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const run = await runOf("files");
    expect(run.tasks.wait).toMatchObject({ state: "success", try_number: 1 });
    expect(run.tasks.wait!.result).toEqual([
      `${project.dir}/inbox/a.csv`,
      `${project.dir}/inbox/b.csv`,
    ]);
    expect(run.tasks.load!.state).toBe("success");
    const log = (await project.flow(["logs", "files", "wait"])).stdout;
    expect(log).toMatch(/poke 1: not done yet; next poke in \d+ms/);
  });

  it("reschedule mode: up_for_reschedule between pokes, its slot free for another task (--parallelism 1), same try", async () => {
    project = await makeProject({
      "pipelines/resched.ts": `
import { dag, fileSensor, bash } from "flow";
const wait = fileSensor("wait", "../flag-*", { pokeInterval: "200ms", timeout: "30s", mode: "reschedule" });
// Runs only if the sensor gives its slot back: with --parallelism 1 a poke-mode sensor would hold it.
// "wait" sorts before "work": the sensor takes the one slot first.
const work = bash("work", "sleep 1.5; touch flag-1");
export default dag({ id: "resched", tasks: [wait, work] });
`,
    });
    const child = project.spawn(["run", "resched", "--date", "2026-01-01", "--parallelism", "1"]);
    const waiting = await waitFor("up_for_reschedule while other runs", async () => {
      const run = await runOf("resched");
      return run.tasks.wait?.state === "up_for_reschedule" && run.tasks.work?.state === "running"
        ? run
        : undefined;
    });
    const wait = waiting.tasks.wait!;
    expect(wait.try_number).toBe(1);
    expect(wait.next_try_at).not.toBeNull();
    expect(wait.sensor_start).not.toBeNull();
    expect(Date.parse(wait.next_try_at!)).toBeGreaterThan(Date.parse(wait.end!));
    const tree = await project.flow(["tree", "resched", "--run", waiting.run_id]);
    expect(tree.stdout).toMatch(/◷ wait +up_for_reschedule \(.*next poke at /);

    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const run = await runOf("resched");
    expect(run.tasks.wait).toMatchObject({ state: "success", try_number: 1 });
    expect(run.tasks.work!.state).toBe("success");
    // Both pokes (the one slot went to work in between) in try 1's log.
    const log = (await project.flow(["logs", "resched", "wait", "--try", "1"])).stdout;
    expect(log).toMatch(/no match[\s\S]*gives its slot back[\s\S]*1 file\(s\)/);
  });
});

describe("timeout", () => {
  it.each([
    ["poke", false, "failed", 1],
    ["reschedule", false, "failed", 1],
    ["poke", true, "skipped", 0],
    ["reschedule", true, "skipped", 0],
  ])(
    "%s mode, softFail %s: %s after the timeout, without retry",
    async (mode, softFail, state, exitCode) => {
      project = await makeProject({
        "pipelines/late.ts": `
import { dag, sensor } from "flow";
const never = sensor("never", () => false, { pokeInterval: "200ms", timeout: "1s", mode: "${mode}", softFail: ${softFail}, retries: 2, retryDelay: 0 });
export default dag({ id: "late", tasks: [never] });
`,
      });
      const started = Date.now();
      const result = await project.flow(["run", "late", "--date", "2026-01-01"]);
      expect(result.exitCode, result.stderr).toBe(exitCode);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      const never = (await runOf("late")).tasks.never!;
      expect(never).toMatchObject({ state, try_number: 1 });
      expect(never.reason).toMatch(/^sensor timed out after 1s/);
    },
  );
});

describe("exponentialBackoff", () => {
  it("the wait between pokes doubles", async () => {
    project = await makeProject({
      "pipelines/backoff.ts": `
import { appendFileSync, readFileSync } from "node:fs";
import { dag, sensor } from "flow";
const poke = () => {
  appendFileSync("pokes", Date.now() + "\\n");
  return readFileSync("pokes", "utf8").trim().split("\\n").length >= 5;
};
export default dag({ id: "backoff", tasks: [
  sensor("grow", poke, { pokeInterval: "100ms", exponentialBackoff: true, timeout: "20s" }),
] });
`,
    });
    const result = await project.flow(["run", "backoff", "--date", "2026-01-01"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const times = (await project.read("pokes")).trim().split("\n").map(Number);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 100, 200, 400, 800 ms: each at least its planned wait, and growing.
    expect(gaps).toHaveLength(4);
    [100, 200, 400, 800].forEach((planned, i) => expect(gaps[i]).toBeGreaterThanOrEqual(planned));
    expect(gaps[3]!).toBeGreaterThan(gaps[1]! + 300);
  });
});

describe("externalTask", () => {
  it.each([
    ["succeeds", "true", 0, "success"],
    ["fails", "false", 1, "failed"],
  ])("the other DAG's task %s while the sensor waits", async (_name, outcome, exitCode, state) => {
    project = await makeProject({
      "pipelines/upstream.ts": `
import { dag, fn } from "flow";
export default dag({ id: "upstream", tasks: [
  fn("export", () => { if (!${outcome}) throw new Error("export broke"); return 1; }),
] });
`,
      "pipelines/downstream.ts": `
import { dag, externalTask } from "flow";
export default dag({ id: "downstream", tasks: [
  externalTask("wait_export", { dag: "upstream", task: "export", pokeInterval: "200ms", timeout: "30s", mode: "reschedule" }),
] });
`,
    });
    const child = project.spawn(["run", "downstream", "--date", "2026-01-01"]);
    await waitFor("the sensor to wait", async () =>
      (await runOf("downstream")).tasks.wait_export?.state === "up_for_reschedule"
        ? true
        : undefined,
    );
    await project.flow(["run", "upstream", "--date", "2026-01-01"]);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(exitCode);
    const wait = (await runOf("downstream")).tasks.wait_export!;
    expect(wait.state).toBe(state);
    if (state === "failed")
      expect(wait.reason).toBe(
        'task "export" of dag "upstream" (logical date 2026-01-01T00:00:00.000Z) is failed (no retry)',
      );
  });

  it.each([
    ["flow run", "poke"],
    ["flow run", "reschedule"],
    ["flow scheduler --once", "poke"],
  ])(
    "%s, %s mode: a task or DAG no pipeline defines fails at once without retry; a run not there yet still waits",
    async (command, mode) => {
      const options = `pokeInterval: "100ms", mode: "${mode}", retries: 2, retryDelay: 0`;
      project = await makeProject({
        "pipelines/upstream.ts": `
import { dag, fn } from "flow";
export default dag({ id: "upstream", tasks: [fn("extract", () => 1), fn("load", () => 2), fn("report", () => 3)] });
`,
        "pipelines/downstream.ts": `
import { dag, externalTask } from "flow";
export default dag({ id: "downstream", schedule: "@daily", start: "2026-01-01", tasks: [
  externalTask("typo_task", { dag: "upstream", task: "lod", timeout: "5s", ${options} }),
  externalTask("typo_dag", { dag: "upstrem", task: "load", timeout: "5s", ${options} }),
  externalTask("no_run", { dag: "upstream", task: "load", timeout: "1s", ${options} }),
] });
`,
      });
      const result =
        command === "flow run"
          ? await project.flow(["run", "downstream", "--date", "2026-01-01"])
          : await project.flow(["scheduler", "--once"], {
              env: { FLOW_NOW: "2026-01-02T06:00:00Z" },
            });
      expect(result.exitCode, result.stderr).toBe(1);
      const run = await runOf("downstream");
      expect(run.run_id).toBe(
        command === "flow run"
          ? "manual__2026-01-01T00:00:00+00:00"
          : "scheduled__2026-01-01T00:00:00+00:00",
      );
      const { typo_task, typo_dag, no_run } = run.tasks;
      expect(typo_task).toMatchObject({
        state: "failed",
        try_number: 1,
        reason:
          'dag "upstream" has no task "lod" (did you mean "load"? tasks: extract, load, report) (no retry)',
      });
      expect(typo_dag).toMatchObject({
        state: "failed",
        try_number: 1,
        reason:
          'no pipeline defines dag "upstrem" (did you mean "upstream"? dags: downstream, upstream) (no retry)',
      });
      // At once: well before their 5 s timeout.
      for (const task of [typo_task!, typo_dag!])
        expect(Date.parse(task.end!) - Date.parse(task.start!)).toBeLessThan(2_000);
      expect(no_run).toMatchObject({ state: "failed", try_number: 1 });
      expect(no_run!.reason).toMatch(/^sensor timed out after 1s/);
      const log = (await project.flow(["logs", "downstream", "no_run", "--run", run.run_id]))
        .stdout;
      expect(log).toContain(
        'task "load" of dag "upstream" (logical date 2026-01-01T00:00:00.000Z): no run yet',
      );
    },
  );

  it("delta looks at an earlier run", async () => {
    project = await makeProject({
      "pipelines/upstream.ts": `
import { dag, fn } from "flow";
export default dag({ id: "upstream", tasks: [fn("export", () => 1)] });
`,
      "pipelines/downstream.ts": `
import { dag, externalTask } from "flow";
export default dag({ id: "downstream", tasks: [
  externalTask("wait_export", { dag: "upstream", task: "export", delta: "1d", pokeInterval: "100ms", timeout: "600ms" }),
] });
`,
    });
    expect((await project.flow(["run", "upstream", "--date", "2026-01-01"])).exitCode).toBe(0);
    const same = await project.flow(["run", "downstream", "--date", "2026-01-01"]);
    expect(same.exitCode).toBe(1);
    const dayAfter = await project.flow(["run", "downstream", "--date", "2026-01-02"]);
    expect(dayAfter.exitCode, dayAfter.stderr).toBe(0);
  });
});

describe("timeSensor", () => {
  it("waits until the end of the data interval plus delta; softFail skips when it never comes", async () => {
    project = await makeProject({
      "pipelines/timed.ts": `
import { dag, timeSensor } from "flow";
export default dag({ id: "timed", tasks: [
  timeSensor("soon", { delta: "1s", pokeInterval: "100ms" }),
  timeSensor("tomorrow", { delta: "1d", pokeInterval: "100ms", timeout: "500ms", softFail: true }),
] });
`,
    });
    const started = Date.now();
    const result = await project.flow(["run", "timed"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const run = await runOf("timed");
    expect(run.tasks.soon!.state).toBe("success");
    expect(run.tasks.tomorrow).toMatchObject({ state: "skipped" });
    expect(run.tasks.tomorrow!.reason).toBe("sensor timed out after 500ms (softFail)");
  });
});

describe("a reschedule-mode sensor whose flow run is killed", () => {
  it("kill -9, then flow run --run: it goes on poking and times out at its first deadline", async () => {
    const env = { FLOW_LOCK_STALE_MS: "2000" };
    project = await makeProject({
      "pipelines/patient.ts": `
import { dag, sensor } from "flow";
export default dag({ id: "patient", tasks: [
  sensor("never", () => false, { pokeInterval: "200ms", timeout: "6s", mode: "reschedule" }),
] });
`,
    });
    const child = project.spawn(["run", "patient", "--date", "2026-01-01"], { env });
    const waiting = await waitFor("a reschedule", async () => {
      const run = await runOf("patient", env);
      return run.tasks.never?.state === "up_for_reschedule" ? run : undefined;
    });
    const sensorStart = Date.parse(waiting.tasks.never!.sensor_start!);
    child.kill("SIGKILL");
    await child;
    await sleep(2_500); // the dead process's lock goes stale
    const recovered = await runOf("patient", env);
    expect(recovered.state).toBe("queued");
    expect(recovered.tasks.never!.state).toBe("up_for_reschedule");

    const resumed = await project.flow(["run", "patient", "--run", waiting.run_id], { env });
    expect(resumed.exitCode, resumed.stderr).toBe(1);
    // Pokes went on after the restart...
    expect(resumed.stdout).toMatch(/never {2}up_for_reschedule/);
    const never = (await runOf("patient", env)).tasks.never!;
    expect(never).toMatchObject({ state: "failed", try_number: 1 });
    expect(never.reason).toMatch(/^sensor timed out after 6s/);
    // ...and it timed out 6 s after its first poke, not 6 s after the restart.
    const ended = Date.parse(never.end!);
    expect(ended - sensorStart).toBeGreaterThanOrEqual(6_000);
    expect(ended - sensorStart).toBeLessThan(7_500);
  });
});

describe("bad sensor options", () => {
  it.each([
    [
      'sensor("s", () => true, { pokeInterval: "soon" })',
      'task "s": pokeInterval must be a duration greater than zero: seconds as a number, or a string such as "500ms", "30s", "5m", "2h", "1d", "1h30m"; got "soon"',
    ],
    [
      'sensor("s", () => true, { pokeIntervall: "1s" })',
      'task "s": unknown option "pokeIntervall" (did you mean "pokeInterval"?)',
    ],
    [
      'sensor("s", () => true, { mode: "sleep" })',
      'task "s": mode must be "poke" or "reschedule", got "sleep"',
    ],
    [
      'externalTask("s", { task: "t" })',
      'task "s": externalTask needs "dag", a non-empty string; got undefined',
    ],
  ])("%s: one line, exit 3", async (task, message) => {
    project = await makeProject({
      "pipelines/bad.ts": `
import { dag, sensor, externalTask } from "flow";
export default dag({ id: "bad", tasks: [${task}] });
`,
    });
    const result = await project.flow(["run", "bad"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`pipelines/bad.ts: dag "bad": ${message}`);
    expect(result.stderr).not.toContain("    at ");
  });
});
