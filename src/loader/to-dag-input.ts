import { isTask, type DagDefinition, type Task, type TaskRef } from "../api/definitions.js";
import type { DagInput, Issue, TaskInput } from "../core/build-dag.js";

/** A DAG definition turned into plain data for the core, plus its task objects by id. */
export interface DefinitionParts {
  readonly input: DagInput;
  readonly tasks: ReadonlyMap<string, Task>;
  /** Problems only visible before the definition is turned into data (a non-task in `tasks`). */
  readonly issues: Issue[];
}

function refId(ref: TaskRef | unknown): unknown {
  return isTask(ref) ? ref.id : ref;
}

/**
 * Adds `task` and, depth first, every task its dependencies point to as objects (upstream ones,
 * then downstream ones) to `order`, each once: what a recursive walk would do, with a stack of
 * its own so that a long chain of tasks cannot overflow the call stack.
 */
function visit(task: Task, seen: Set<Task>, order: Task[]): void {
  if (seen.has(task)) return;
  seen.add(task);
  order.push(task);
  // The walk's path: each task with the position of the next dependency to look at.
  const path: Task[] = [task];
  const next: number[] = [0];
  while (path.length > 0) {
    const top = path.length - 1;
    const current = path[top]!;
    const ups = current.upstreamRefs;
    const downs = current.downstreamRefs;
    const k = next[top]!;
    if (k >= ups.length + downs.length) {
      path.pop();
      next.pop();
      continue;
    }
    next[top] = k + 1;
    const ref = k < ups.length ? ups[k] : downs[k - ups.length];
    if (!isTask(ref) || seen.has(ref)) continue;
    seen.add(ref);
    order.push(ref);
    path.push(ref);
    next.push(0);
  }
}

/**
 * Collects the tasks a definition names, plus the tasks its dependencies point to as objects
 * (so `chain(a, b)` is enough to put b in the DAG), and turns it into the core's DagInput.
 */
export function toDagInput(definition: DagDefinition, file: string): DefinitionParts {
  const options = definition.options as unknown as Record<string, unknown>;
  const listed = Array.isArray(options.tasks) ? (options.tasks as unknown[]) : [];
  const seen = new Set<Task>();
  const order: Task[] = [];
  const issues: Issue[] = [];
  const dagId = typeof options.id === "string" ? options.id : undefined;
  if (!Array.isArray(options.tasks)) {
    issues.push({ file, ...(dagId && { dagId }), message: "`tasks` must be an array of tasks" });
  }
  listed.forEach((value, index) => {
    if (!isTask(value)) {
      const what = value === null ? "null" : typeof value;
      issues.push({
        file,
        ...(dagId && { dagId }),
        message: `tasks[${index}] is a ${what}, not a task made with bash() or fn()`,
      });
    }
    if (isTask(value)) visit(value, seen, order);
  });

  const tasks = new Map<string, Task>();
  const inputs: TaskInput[] = [];
  for (const value of order) {
    if (!tasks.has(value.id)) tasks.set(value.id, value);
    inputs.push({
      id: value.id,
      kind: value.kind,
      role: value.role,
      upstream: value.upstreamRefs.map(refId),
      downstream: value.downstreamRefs.map(refId),
      options: value.options as Record<string, unknown>,
    });
  }

  const input: DagInput = {
    file,
    id: options.id,
    description: options.description,
    tags: options.tags,
    schedule: options.schedule,
    start: options.start,
    end: options.end,
    timezone: options.timezone,
    catchup: options.catchup,
    maxActiveRuns: options.maxActiveRuns,
    maxActiveTasks: options.maxActiveTasks,
    params: options.params,
    failFast: options.failFast,
    defaults: withoutCallbacks(options.defaults),
    tasks: inputs,
  };
  return { input, tasks, issues };
}

// Callbacks in `defaults` are functions for the runner, not options for the core to validate.
function withoutCallbacks(defaults: unknown): unknown {
  if (typeof defaults !== "object" || defaults === null) return defaults;
  const {
    onSuccess: _s,
    onFailure: _f,
    onRetry: _r,
    ...rest
  } = defaults as Record<string, unknown>;
  return rest;
}
