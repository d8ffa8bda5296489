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
  const visit = (value: unknown): void => {
    if (!isTask(value)) return;
    if (seen.has(value)) return;
    seen.add(value);
    order.push(value);
    for (const ref of [...value.upstreamRefs, ...value.downstreamRefs]) if (isTask(ref)) visit(ref);
  };
  listed.forEach((value, index) => {
    if (!isTask(value)) {
      const what = value === null ? "null" : typeof value;
      issues.push({
        file,
        ...(dagId && { dagId }),
        message: `tasks[${index}] is a ${what}, not a task made with bash() or fn()`,
      });
    }
    visit(value);
  });

  const tasks = new Map<string, Task>();
  const inputs: TaskInput[] = order.map((value) => {
    if (!tasks.has(value.id)) tasks.set(value.id, value);
    return {
      id: value.id,
      kind: value.kind,
      role: value.role,
      upstream: value.upstreamRefs.map(refId),
      downstream: value.downstreamRefs.map(refId),
      options: value.options as Record<string, unknown>,
    };
  });

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
