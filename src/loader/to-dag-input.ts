import { isTask, type DagDefinition, type Task, type TaskRef } from "../api/definitions.js";
import type { Issue } from "../core/build-dag.js";
import type { DagInput, TaskInput } from "../core/dag-input.js";
import { unknownOptionProblems } from "../core/unknown-options.js";

// Every option dag() takes (DagOptions in src/api/definitions.ts).
const DAG_OPTIONS = [
  "id",
  "description",
  "tags",
  "schedule",
  "start",
  "end",
  "timezone",
  "catchup",
  "maxActiveRuns",
  "maxActiveTasks",
  "params",
  "defaults",
  "failFast",
  "onSuccess",
  "onFailure",
  "tasks",
];

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

// The tasks found so far, in the order found: by id the first task object with that id, and in
// `others` every later object with an id already taken (the core reports the duplicate).
interface Found {
  readonly order: Task[];
  readonly byId: Map<string, Task>;
  readonly others: Set<Task>;
}

// Adds `task` unless it was found before; true if it was added.
function add(found: Found, task: Task): boolean {
  const known = found.byId.get(task.id);
  if (known === task) return false;
  if (known === undefined) found.byId.set(task.id, task);
  else if (found.others.has(task)) return false;
  else found.others.add(task);
  found.order.push(task);
  return true;
}

/**
 * Adds `task` and, depth first, every task its dependencies point to as objects (upstream ones,
 * then downstream ones), each once: what a recursive walk would do, with a stack of its own so
 * that a long chain of tasks cannot overflow the call stack.
 */
function visit(task: Task, found: Found): void {
  if (!add(found, task)) return;
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
    if (!isTask(ref) || !add(found, ref)) continue;
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
  const found: Found = { order: [], byId: new Map(), others: new Set() };
  const issues: Issue[] = [];
  const dagId = typeof options.id === "string" ? options.id : undefined;
  for (const message of unknownOptionProblems(Object.keys(options), DAG_OPTIONS, "dag option"))
    issues.push({ file, ...(dagId && { dagId }), message });
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
    if (isTask(value)) visit(value, found);
  });

  const { order, byId: tasks } = found;
  const inputs: TaskInput[] = [];
  for (let i = 0; i < order.length; i++) {
    const value = order[i]!;
    for (const message of value.problems ?? [])
      issues.push({ file, ...(dagId && { dagId }), taskId: value.id, message });
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
