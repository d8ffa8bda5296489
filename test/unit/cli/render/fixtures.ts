import type { Dag, TaskSpec, TriggerRule } from "../../../../src/core/dag.js";
import type { DagRun, TaskInstance } from "../../../../src/core/run.js";

/** A Dag literal from `downstream` edges: `{ extract: ["transform"], transform: [] }`. */
export function dagOf(
  edges: Record<string, readonly string[]>,
  rules: Record<string, TriggerRule> = {},
): Dag {
  const ids = new Set<string>(Object.keys(edges));
  for (const children of Object.values(edges)) for (const child of children) ids.add(child);
  const upstream = new Map<string, string[]>([...ids].map((id) => [id, []]));
  for (const [parent, children] of Object.entries(edges))
    for (const child of children) upstream.get(child)!.push(parent);
  const tasks = new Map<string, TaskSpec>();
  for (const id of ids) {
    tasks.set(id, {
      id,
      kind: "bash",
      role: "plain",
      upstream: upstream.get(id)!.sort(),
      downstream: [...(edges[id] ?? [])].sort(),
      retries: 0,
      retryDelayMs: 0,
      retryExponentialBackoff: false,
      maxRetryDelayMs: undefined,
      timeoutMs: undefined,
      triggerRule: rules[id] ?? "all_success",
      dependsOnPast: false,
      queue: undefined,
      sensor: undefined,
    });
  }
  return {
    id: "etl",
    file: "pipelines/etl.ts",
    description: undefined,
    tags: [],
    maxActiveRuns: 1,
    maxActiveTasks: 16,
    failFast: false,
    params: {},
    schedule: "@daily",
    start: undefined,
    end: undefined,
    timezone: "UTC",
    catchup: false,
    tasks,
  };
}

/** A task instance with quiet defaults; override what the test is about. */
export function ti(task_id: string, fields: Partial<TaskInstance> = {}): TaskInstance {
  return {
    task_id,
    state: "none",
    try_number: 0,
    max_tries: 1,
    start: null,
    end: null,
    duration_ms: null,
    exit_code: null,
    reason: null,
    pid: null,
    next_try_at: null,
    log_path: null,
    ...fields,
  };
}

/** A finished manual run holding `tasks`. */
export function runOf(tasks: readonly TaskInstance[], fields: Partial<DagRun> = {}): DagRun {
  return {
    dag_id: "etl",
    run_id: "manual__2026-11-24T08:42:47Z",
    run_type: "manual",
    logical_date: "2026-11-24T08:42:47.000Z",
    data_interval_start: "2026-11-24T08:42:47.000Z",
    data_interval_end: "2026-11-24T08:42:47.000Z",
    state: "success",
    queued_at: "2026-11-24T08:42:47.000Z",
    start: "2026-11-24T08:42:47.000Z",
    end: "2026-11-24T08:42:50.200Z",
    reason: null,
    params: {},
    owner: null,
    tasks: Object.fromEntries(tasks.map((t) => [t.task_id, t])),
    ...fields,
  };
}
