import { createHash } from "node:crypto";
import { clearTasks, type ClearSelection } from "../core/clear.js";
import {
  describeClearPlan,
  planClear,
  runsInRange,
  type DateRange,
  type RunClear,
} from "../core/clear-plan.js";
import type { DagRun } from "../core/run.js";
import { FlowError, EXIT } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import { recoverLostRuns } from "../runner/recover.js";
import type { StateReader } from "../store/state-store.js";
import { writeRunEvent } from "../store/write-run-event.js";
import { findRun } from "./find-run.js";
import { closeRuns, openRuns } from "./open-runs.js";
import { isQueueHeld } from "../core/lost-tries.js";
import { lockStaleMs, openStore, openStoreForReading } from "./open-store.js";
import { showLostTries } from "./lost-tries-view.js";
import { runIsBusy } from "../store/run-access-errors.js";
import type { Workspace } from "./workspace.js";

/** Which task instances of which runs to clear: flow clear's selectors. */
export interface ClearRequest {
  /** Only this run; else every run whose logical date lies in `range`. */
  readonly runId?: string;
  readonly range?: DateRange;
  readonly selection: ClearSelection;
}

/** A plan: what would be cleared, and its fingerprint for applying exactly that. */
export interface ClearPlan {
  readonly entries: readonly RunClear[];
  /** Names every task instance and try the plan clears; an apply compares it. */
  readonly fingerprint: string;
}

/** How applyClear ended. */
export type ClearResult =
  | {
      readonly status: "cleared";
      readonly plan: ClearPlan;
      /** Cleared tries that workers held (`--executor queue`): how stopping them went. */
      readonly onWorkers?: StopOnWorkers;
    }
  | { readonly status: "nothing"; readonly plan: ClearPlan }
  | { readonly status: "declined"; readonly plan: ClearPlan };

/** Cleared tries a worker still held: asked to stop, or not (Redis unreachable, and why). */
export interface StopOnWorkers {
  readonly jobIds: readonly string[];
  readonly error?: string;
}

/** The plan changed between the preview and the apply: someone ran, cleared or marked meanwhile. */
export class PlanChangedError extends FlowError {
  constructor(dagId: string) {
    super(`the clear plan of dag "${dagId}" changed since it was previewed: nothing cleared`, {
      exitCode: EXIT.state,
      hint: "preview again and apply the new plan",
    });
  }
}

/**
 * What clearing `request` would reset now, read without writing or locking anything. Runs whose
 * process died are seen as the apply will see them once it has recovered them (their lost tries
 * failed); a run a live flow process executes is the LockError the apply would meet.
 */
export async function previewClear(
  workspace: Workspace,
  loaded: LoadedDag,
  request: ClearRequest,
): Promise<ClearPlan> {
  const reader = await openStoreForReading(workspace);
  const runs = await selectRuns(reader, loaded, request);
  for (const run of runs)
    if (run.state === "running" && (await reader.hasLiveOwner(run.dag_id, run.run_id)))
      throw await runIsBusy(reader, { staleMs: lockStaleMs(workspace) }, run.dag_id, run.run_id);
  const seen = await showLostTries(reader, runs, async () => loaded.dag, workspace.now());
  return toPlan(planClear(loaded.dag, seen, request.selection));
}

/**
 * Clears what `request` selects, all or nothing. With `expected` (a preview's fingerprint), a
 * plan that changed since the preview is refused (PlanChangedError) before anything is written.
 * Then it recovers runs whose process died, takes every run of the plan (a run a live process
 * executes is a LockError and nothing is cleared anywhere), plans again under the locks (refused
 * again if that plan is not the expected one), and writes. `approve` sees the plan made under the
 * locks and may decline it (the CLI asks the user there). The cleared runs go back to queued.
 */
export async function applyClear(
  workspace: Workspace,
  loaded: LoadedDag,
  request: ClearRequest,
  options: {
    readonly expected?: string;
    readonly approve?: (plan: ClearPlan) => boolean | Promise<boolean>;
  },
): Promise<ClearResult> {
  const { dag } = loaded;
  if (options.expected !== undefined) {
    const current = await previewClear(workspace, loaded, request);
    if (current.fingerprint !== options.expected) throw new PlanChangedError(dag.id);
  }
  const now = workspace.now();
  const store = await openStore(workspace);
  await recoverLostRuns(store, loaded, () => now);
  const first = planClear(dag, await selectRuns(store, loaded, request), request.selection);
  if (first.length === 0 && options.expected === undefined)
    return { status: "nothing", plan: toPlan([]) };
  const writers = await openRuns(
    store,
    dag.id,
    first.map((entry) => entry.run.run_id),
  );
  try {
    const plan = toPlan(
      planClear(
        dag,
        writers.map((writer) => writer.run),
        request.selection,
      ),
    );
    if (options.expected !== undefined && plan.fingerprint !== options.expected)
      throw new PlanChangedError(dag.id);
    if (plan.entries.length === 0) return { status: "nothing", plan };
    if (options.approve && !(await options.approve(plan))) return { status: "declined", plan };
    const jobs: { jobId: string; queue: string | undefined }[] = [];
    for (const entry of plan.entries) {
      const writer = writers.find((w) => w.run.run_id === entry.run.run_id)!;
      for (const id of entry.taskIds) {
        const instance = writer.run.tasks[id];
        if (instance && isQueueHeld(instance))
          jobs.push({ jobId: instance.job_id!, queue: dag.tasks.get(id)?.queue });
      }
      writeRunEvent(writer, clearTasks(dag, writer.run, entry.taskIds, now));
    }
    if (jobs.length === 0) return { status: "cleared", plan };
    return { status: "cleared", plan, onWorkers: await stopOnWorkers(workspace, jobs) };
  } finally {
    await closeRuns(writers);
  }
}

// Cleared tries workers still run are stopped through the Redis of FLOW_REDIS_URL, on their
// task's queue, else FLOW_QUEUE's (their results would be ignored anyway: the next try has
// another job).
async function stopOnWorkers(
  workspace: Workspace,
  jobs: readonly { jobId: string; queue: string | undefined }[],
): Promise<StopOnWorkers> {
  const { cancelJobs } = await import("../queue/cancel.js");
  const { DEFAULT_QUEUE, DEFAULT_REDIS_URL } = await import("../queue/protocol.js");
  const { env } = workspace;
  const byQueue = new Map<string, string[]>();
  for (const { jobId, queue } of jobs) {
    const name = queue ?? (env.FLOW_QUEUE || DEFAULT_QUEUE);
    byQueue.set(name, [...(byQueue.get(name) ?? []), jobId]);
  }
  const jobIds = jobs.map(({ jobId }) => jobId);
  try {
    for (const [queue, ids] of byQueue)
      await cancelJobs(env.FLOW_REDIS_URL || DEFAULT_REDIS_URL, queue, ids);
    return { jobIds };
  } catch (error) {
    return { jobIds, error: error instanceof Error ? error.message : String(error) };
  }
}

// The runs a request covers, as stored.
async function selectRuns(
  store: StateReader,
  loaded: LoadedDag,
  request: ClearRequest,
): Promise<DagRun[]> {
  const dagId = loaded.dag.id;
  if (request.runId !== undefined)
    return [await findRun(store, dagId, request.runId, loaded.dag.timezone)];
  return runsInRange(await store.listRuns(dagId), request.range ?? {});
}

function toPlan(entries: readonly RunClear[]): ClearPlan {
  return { entries, fingerprint: fingerprintOf(entries) };
}

// Short and stable: the same plan always gives the same fingerprint, across processes.
function fingerprintOf(entries: readonly RunClear[]): string {
  return createHash("sha1").update(describeClearPlan(entries)).digest("hex").slice(0, 16);
}

/** One task instance a plan clears, as it is before the clear: what every surface shows of a plan. */
export interface PlannedInstance {
  readonly run_id: string;
  readonly task_id: string;
  readonly state: string;
  readonly try_number: number;
  readonly max_tries: number;
}

/** The task instances a plan clears, run by run, in DAG order (`flow clear --json`, the web view). */
export function plannedInstances(plan: ClearPlan): PlannedInstance[] {
  return plan.entries.flatMap(({ run, taskIds }) =>
    taskIds.map((taskId) => {
      const instance = run.tasks[taskId]!;
      return {
        run_id: run.run_id,
        task_id: taskId,
        state: instance.state,
        try_number: instance.try_number,
        max_tries: instance.max_tries,
      };
    }),
  );
}
