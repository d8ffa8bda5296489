import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { makeProject, type FlowResult, type Project } from "../e2e/harness.js";
import {
  FAULT_SEED,
  Random,
  RECORD_EXECUTION,
  injectionCount,
  readExecutions,
  readRawState,
  replayHint,
  sleep,
  waitFor,
  type RawState,
} from "./fault-harness.js";

// kill -9 of `flow run`, `flow backfill` and `flow scheduler --once` at seeded random moments,
// then the invariants of issue 5: every state file parses, a success stays a success, no try
// runs twice, a task re-runs only when its try was lost, and resuming completes the work.

type Kind = "run" | "backfill" | "scheduler";

interface Plan {
  readonly index: number;
  readonly kind: Kind;
  readonly kills: number;
  readonly shape: "chain" | "diamond" | "wide";
  readonly sleep: string;
}

const INJECTIONS = injectionCount(21);
// Sets run side by side: most of a set's time is spent waiting for a dead lock to go stale.
const SETS_AT_ONCE = 3;
const STALE_MS = 2000;
const DAG = "faulty";

function makePlans(): Plan[] {
  const rng = new Random(FAULT_SEED, "kill-9 plans");
  const kinds: Kind[] = rng.shuffle(["run", "backfill", "scheduler"]);
  const plans: Plan[] = [];
  for (let total = 0, index = 0; total < INJECTIONS; index++) {
    const kills = Math.min(rng.int(1, 3), INJECTIONS - total);
    total += kills;
    plans.push({
      index,
      kind: kinds[index % kinds.length]!,
      kills,
      shape: rng.pick(["chain", "diamond", "wide"] as const),
      sleep: rng.pick(["0.1", "0.2", "0.3", "0.5"]),
    });
  }
  return plans;
}

// Retries cover every lost try (a kill costs a task at most one); no delay, so a resume is quick.
function pipelineFor(plan: Plan): string {
  const edges: Record<Plan["shape"], Record<string, string[]>> = {
    chain: { a: [], b: ["a"], c: ["b"] },
    diamond: { a: [], b: ["a"], c: ["a"], d: ["b", "c"] },
    wide: { a: [], b: [], c: [], d: [] },
  };
  const tasks = Object.entries(edges[plan.shape]).map(
    ([id, upstream]) =>
      `bash(${JSON.stringify(id)}, '${RECORD_EXECUTION}; sleep ${plan.sleep}', { upstream: ${JSON.stringify(upstream)}, retries: 8, retryDelay: 0 })`,
  );
  return `
import { dag, bash } from "flow";
export default dag({ id: "${DAG}", schedule: "@daily", start: "2026-01-01", catchup: true, tasks: [${tasks.join(", ")}] });
`;
}

const day = (offset: number): string =>
  new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

// A unit of work: the runs one command must leave done, and how to (re)start it.
interface Unit {
  readonly runIds: string[];
  readonly env: Record<string, string>;
  args(state: RawState): string[];
}

function unitFor(kind: Kind, unit: number): Unit {
  const base = { FLOW_LOCK_STALE_MS: String(STALE_MS) };
  if (kind === "run") {
    const date = day(40 + unit);
    const runId = `manual__${date}T00:00:00+00:00`;
    return {
      runIds: [runId],
      env: base,
      args: (state) =>
        state.runs.has(`${DAG}/${runId}`)
          ? ["run", DAG, "--run", runId]
          : ["run", DAG, "--date", date],
    };
  }
  if (kind === "backfill") {
    const days = [0, 1, 2].map((i) => day(60 + 3 * unit + i));
    return {
      runIds: days.map((d) => `backfill__${d}T00:00:00+00:00`),
      env: { ...base, FLOW_NOW: "2026-06-01T00:00:00Z" },
      args: () => ["backfill", DAG, "--start", days[0]!, "--end", days[2]!],
    };
  }
  // At 06:00 on day N the intervals of the days before it are due (catchup on).
  const now = 3 * (unit + 1);
  return {
    runIds: Array.from({ length: now }, (_, i) => `scheduled__${day(i)}T00:00:00+00:00`),
    env: { ...base, FLOW_NOW: `${day(now)}T06:00:00Z` },
    args: () => ["scheduler", "--once"],
  };
}

// Limits how many sets run at once (each set's own steps are sequential).
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= SETS_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const tally = { landed: 0, missed: 0, lockRetries: 0, recoveredByStatus: 0, sets: 0 };
afterAll(() => {
  console.log(
    `fault kill-9: ${tally.landed} injections survived in ${tally.sets} sets ` +
      `(${tally.missed} kills came after the command had finished, ${tally.lockRetries} ` +
      `resumes waited for a lock, ${tally.recoveredByStatus} recoveries checked through flow status); seed ${FAULT_SEED}`,
  );
});

// Starts a command and kills it with SIGKILL at a seeded moment: a fixed delay, or shortly after
// the n-th new execution. Returns the result when the command ended on its own first.
async function killAtRandomMoment(
  project: Project,
  rng: Random,
  args: string[],
  env: Record<string, string>,
  executionsSoFar: number,
): Promise<{ landed: true; moment: string } | { landed: false; result: FlowResult }> {
  const child = project.spawn(args, { env });
  let exited = false;
  const done = child.then((result) => {
    exited = true;
    return result;
  });
  let moment: string;
  if (rng.next() < 0.4) {
    const delay = rng.int(100, 3000);
    moment = `${delay} ms after start`;
    await Promise.race([sleep(delay), done]);
  } else {
    const nth = rng.int(1, 4);
    const extra = rng.int(0, 350);
    moment = `${extra} ms after execution #${nth} of this command`;
    const executions = join(project.dir, "executions.log");
    await Promise.race([
      waitFor(
        "an execution",
        () => exited || readExecutions(executions).length >= executionsSoFar + nth || undefined,
        120_000,
        10,
      ),
      done,
    ]);
    await Promise.race([sleep(extra), done]);
  }
  if (!exited) child.kill("SIGKILL");
  const result = await done;
  if (result.signal === "SIGKILL") return { landed: true, moment };
  return {
    landed: false,
    result: {
      exitCode: result.exitCode ?? -1,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
    },
  };
}

// Whether a command stopped because a lock is still held by the process we just killed.
const isLockedOut = (result: FlowResult): boolean =>
  (result.exitCode === 4 && /another flow process|locked/.test(result.stderr)) ||
  (result.exitCode === 0 && /a scheduler is already running/.test(result.stderr));

describe("kill -9 at random moments", () => {
  it.concurrent.for(
    makePlans().map(
      (plan) =>
        [
          `set ${plan.index}: ${plan.kind}, ${plan.kills} kill(s), ${plan.shape} DAG`,
          plan,
        ] as const,
    ),
  )("%s", { timeout: 300_000 }, async ([, plan], { expect }) =>
    withSlot(async () => {
      const rng = new Random(FAULT_SEED, `kill-9 set ${plan.index}`);
      const project = await makeProject({ "pipelines/faulty.ts": pipelineFor(plan) });
      const executionsPath = join(project.dir, "executions.log");
      const events: string[] = [];
      const violations: string[] = [];
      // "<run> <task>" -> the try recorded success first; and every (try, state) seen unfinished.
      const successAt = new Map<string, number>();
      const seenUnfinished = new Map<string, Map<number, string>>();
      const units: Unit[] = [];

      const observe = (label: string): RawState => {
        const raw = readRawState(project.stateDir);
        for (const problem of raw.problems) violations.push(`${label}: unparsable ${problem}`);
        const executions = readExecutions(executionsPath);
        for (const run of raw.runs.values()) {
          for (const task of Object.values(run.tasks)) {
            const key = `${run.run_id} ${task.task_id}`;
            const first = successAt.get(key);
            if (first !== undefined && !(task.state === "success" && task.try_number === first)) {
              violations.push(
                `${label}: ${key} was recorded success (try ${first}), now ${task.state} (try ${task.try_number})`,
              );
            }
            if (task.state === "success") {
              if (first === undefined) successAt.set(key, task.try_number);
            } else {
              const tries = seenUnfinished.get(key) ?? new Map<number, string>();
              tries.set(task.try_number, `${task.state}${task.reason ? ` (${task.reason})` : ""}`);
              seenUnfinished.set(key, tries);
            }
          }
        }
        // A try that ran must be recorded (at least as running) by the time flow dies.
        const latest = new Map<string, number>();
        for (const e of executions) {
          const key = `${e.runId} ${e.taskId}`;
          latest.set(key, Math.max(latest.get(key) ?? 0, e.tryNumber));
        }
        for (const [key, tryNumber] of latest) {
          const [runId, taskId] = key.split(" ") as [string, string];
          const task = raw.runs.get(`${DAG}/${runId}`)?.tasks[taskId];
          if (!task || task.try_number < tryNumber) {
            violations.push(
              `${label}: ${key} try ${tryNumber} ran, but the state records ${task ? `try ${task.try_number} (${task.state})` : "no such task instance"}`,
            );
          }
        }
        return raw;
      };

      // Runs the unit's command until it completes, waiting out a dead process's lock.
      const complete = async (unit: Unit): Promise<void> => {
        for (let attempt = 1; ; attempt++) {
          const args = unit.args(readRawState(project.stateDir));
          const result = await project.flow(args, { env: unit.env });
          events.push(`flow ${args.join(" ")} -> exit ${result.exitCode}`);
          if (isLockedOut(result) && attempt < 10) {
            tally.lockRetries++;
            await sleep(1000);
            continue;
          }
          if (result.exitCode !== 0) {
            violations.push(
              `flow ${args.join(" ")} exited ${result.exitCode} resuming: ${result.stderr.trim()}`,
            );
          }
          return;
        }
      };

      try {
        let kills = 0;
        let unitIndex = 0;
        let unit = unitFor(plan.kind, unitIndex);
        units.push(unit);
        while (kills < plan.kills && unitIndex < 12) {
          const executionsSoFar = readExecutions(executionsPath).length;
          const args = unit.args(readRawState(project.stateDir));
          const outcome = await killAtRandomMoment(project, rng, args, unit.env, executionsSoFar);
          if (!outcome.landed) {
            events.push(`flow ${args.join(" ")} finished first -> exit ${outcome.result.exitCode}`);
            if (isLockedOut(outcome.result)) {
              tally.lockRetries++;
              await sleep(1000);
              continue;
            }
            tally.missed++;
            expect(outcome.result.exitCode, outcome.result.stderr).toBe(0);
            unit = unitFor(plan.kind, ++unitIndex);
            units.push(unit);
            continue;
          }
          kills++;
          tally.landed++;
          events.push(`kill -9 of flow ${args.join(" ")} ${outcome.moment}`);
          observe(`after kill ${kills}`);
          await sleep(STALE_MS + 300); // the dead process's lock goes stale
          if (rng.next() < 0.5) {
            // `flow status` shows a lost run recovered (computed on read, nothing written): the
            // lost try must say so in what it shows.
            const status = await project.flow(["status", DAG, "--json", "--limit", "100000"], {
              env: unit.env,
            });
            events.push(`flow status -> exit ${status.exitCode}`);
            if (status.exitCode !== 0) violations.push(`flow status: ${status.stderr.trim()}`);
            tally.recoveredByStatus++;
            observe(`after flow status following kill ${kills}`);
            for (const run of statusRuns(status.stdout)) {
              if (run.state === "running") {
                violations.push(`${run.run_id} still running after recovery by flow status`);
              }
              for (const task of run.tasks) {
                if (["running", "queued", "scheduled"].includes(task.state)) {
                  violations.push(
                    `${run.run_id} ${task.task_id} still ${task.state} after recovery`,
                  );
                }
                if (
                  ["up_for_retry", "failed"].includes(task.state) &&
                  !/^process lost: /.test(task.reason ?? "")
                ) {
                  violations.push(
                    `${run.run_id} ${task.task_id} ${task.state} with reason ${JSON.stringify(task.reason)}, not "process lost"`,
                  );
                }
              }
            }
          }
        }
        await complete(unit);
        observe("at the end");

        const final = readRawState(project.stateDir);
        for (const runId of units.flatMap((u) => u.runIds)) {
          const run = final.runs.get(`${DAG}/${runId}`);
          if (!run) {
            violations.push(`run ${runId} was never created`);
            continue;
          }
          const unfinished = Object.values(run.tasks).filter((t) => t.state !== "success");
          if (run.state !== "success" || unfinished.length > 0) {
            violations.push(
              `run ${runId} ended ${run.state}: ${unfinished.map((t) => `${t.task_id} ${t.state}`).join(", ")}`,
            );
          }
        }
        const byTask = new Map<string, number[]>();
        for (const e of readExecutions(executionsPath)) {
          const key = `${e.runId} ${e.taskId}`;
          byTask.set(key, [...(byTask.get(key) ?? []), e.tryNumber]);
        }
        for (const [key, tries] of byTask) {
          const [runId, taskId] = key.split(" ") as [string, string];
          const finalTry = final.runs.get(`${DAG}/${runId}`)?.tasks[taskId]?.try_number;
          const twice = tries.filter((t, i) => tries.indexOf(t) !== i);
          if (twice.length > 0) violations.push(`${key}: try ${twice.join(", ")} ran twice`);
          const first = successAt.get(key);
          const after = tries.filter((t) => first !== undefined && t > first);
          if (after.length > 0) {
            violations.push(
              `${key}: recorded success at try ${first}, yet try ${after.join(", ")} ran`,
            );
          }
          if (finalTry !== undefined && !tries.includes(finalTry)) {
            violations.push(`${key}: recorded success at try ${finalTry}, which never ran`);
          }
          // Every earlier try was lost to a kill: seen unfinished in the state at some point.
          for (const t of tries.filter((t) => finalTry !== undefined && t < finalTry)) {
            if (!seenUnfinished.get(key)?.has(t)) {
              violations.push(`${key}: try ${t} ran again later, but was never seen lost`);
            }
          }
        }
        tally.sets++;
        if (process.env.FAULT_VERBOSE === "1") console.log(events.join("\n"));
        expect(
          violations,
          `${replayHint()}\n${events.join("\n")}\n${violations.join("\n")}`,
        ).toEqual([]);
      } finally {
        await project.cleanup();
      }
    }),
  );
});

// The runs `flow status --json` shows, each task with its id (none when it printed no JSON).
function statusRuns(stdout: string): {
  run_id: string;
  state: string;
  tasks: { task_id: string; state: string; reason: string | null }[];
}[] {
  let parsed: { runs: { run_id: string; state: string; tasks: Record<string, object> }[] };
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  return parsed.runs.map((run) => ({
    ...run,
    tasks: Object.entries(run.tasks).map(([taskId, task]) => ({
      task_id: taskId,
      ...(task as { state: string; reason: string | null }),
    })),
  }));
}
