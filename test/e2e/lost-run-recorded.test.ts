import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";
import { isAlive, runningTry, waitFor } from "./processes.js";

// `slow` sleeps on every try: the writer that recovers the run is still running try 2 when the
// test reads what it recorded of try 1 (a run's journal and snapshot keep the latest try only).
const PIPELINE = `
import { dag, bash } from "flow";
const slow = bash("slow", "sleep 60", { retries: 1, retryDelay: 0 });
export default dag({ id: "lost", tasks: [slow] });
`;

const RUN_ID = "manual__2026-04-01T00:00:00+00:00";
// The lock goes stale after 2 s; its owner refreshes it every second (test/setup-env.ts has
// cleared the FLOW_* variables of the shell).
const env = { FLOW_LOCK_STALE_MS: "2000" };

interface StoredTry {
  task_id: string;
  state: string;
  try_number: number;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  next_try_at: string | null;
}

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// slow's try 1 as recovered and recorded (up_for_retry), from the snapshot or the journal.
async function recordedLostTry(p: Project): Promise<StoredTry | undefined> {
  const dir = `state/runs/lost/${RUN_ID}`;
  const snapshot = await p.read(`${dir}.json`).catch(() => "");
  const journal = await p.read(`${dir}.journal`).catch(() => "");
  const tries: StoredTry[] = [];
  try {
    tries.push(JSON.parse(snapshot).run.tasks.slow);
  } catch {
    // being replaced: read again
  }
  for (const line of journal.split("\n")) {
    try {
      const task = line.trim() ? JSON.parse(line).task : undefined;
      if (task?.task_id === "slow") tries.push(task);
    } catch {
      // a last line being written
    }
  }
  return tries.find((one) => one.try_number === 1 && one.state === "up_for_retry");
}

describe("a writer that recovers a killed flow run records what readers showed", () => {
  it.each([
    ["flow retry (recoverLostRuns)", ["retry", "lost", RUN_ID]],
    ["flow run --run (the resume fails the lost try itself)", ["run", "lost", "--run", RUN_ID]],
  ])(
    "%s: the lost try ends when the owner was last seen, not at the recovery",
    async (_n, args) => {
      const p = (project = await makeProject({ "pipelines/lost.ts": PIPELINE }));
      const child = p.spawn(["run", "lost", "--date", "2026-04-01"], { env });
      const started = await waitFor("the try to start", () =>
        runningTry(p, "lost", RUN_ID, "slow"),
      );
      await pause(2_500); // the owner refreshes its lock meanwhile
      child.kill("SIGKILL");
      await child.catch(() => undefined);
      await waitFor("the try's processes to end", async () =>
        isAlive(started.pid) ? undefined : true,
      );
      await pause(4_000); // the lock is stale; the recovery comes well after the last refresh

      const status = await p.flow(["status", "lost", "--json"], { env });
      expect(status.exitCode, status.stderr).toBe(0);
      const shown = JSON.parse(status.stdout).runs[0];
      expect(shown.tasks.slow).toMatchObject({ state: "up_for_retry", lost: true });
      expect(shown.tasks.slow.end).toBe(shown.lost_at);

      const recoveredFrom = Date.now();
      const writer = p.spawn(args, { env });
      const recorded = await waitFor("the recovery to be recorded", () => recordedLostTry(p));
      const second = await waitFor("try 2 to start", async () =>
        (await recordedLostTry(p)) ? runningTry(p, "lost", RUN_ID, "slow") : undefined,
      );
      writer.kill("SIGKILL");
      await writer.catch(() => undefined);
      await waitFor("try 2's processes to end", async () =>
        isAlive(second.pid) ? undefined : true,
      );

      expect(recorded.start).toBe(started.start);
      expect(recorded.end).toBe(shown.lost_at);
      expect(recorded.duration_ms).toBe(shown.tasks.slow.duration_ms);
      expect(Date.parse(recorded.end!)).toBeLessThan(recoveredFrom - 3_000);
      // retryDelay 0 counts from the try's end (README, retryDelay), as readers showed it.
      expect(recorded.next_try_at).toBe(shown.lost_at);
    },
    60_000,
  );
});
