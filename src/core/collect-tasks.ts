import { checkId } from "./check-id.js";
import type { TaskInput } from "./dag-input.js";
import type { TaskKind, TaskPolicy, TaskRole } from "./dag.js";
import { describeValue } from "./describe-value.js";
import { closest } from "./did-you-mean.js";
import { resolveSensorOptions, SENSOR_OPTION_NAMES, type SensorPolicy } from "./sensor-policy.js";
import { resolvePolicy } from "./task-policy.js";

/** Records one problem, about the DAG or about one of its tasks. */
export type Report = (message: string, taskId?: string) => void;

/**
 * A DAG's tasks, each id once (the first task of a repeated id counts), numbered in the order
 * they were listed: task i is `ids[i]`, of kind `kinds[i]`. Edges are pairs of task numbers:
 * `to[k]` waits for `from[k]`; a pair may repeat.
 */
export interface CollectedTasks {
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly kinds: readonly TaskKind[];
  readonly roles: readonly TaskRole[];
  readonly policies: readonly TaskPolicy[];
  /** Each sensor's policy, undefined for the other tasks. */
  readonly sensors: readonly (SensorPolicy | undefined)[];
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/** Checks each task on its own (id, options), then its edges against the set of known ids. */
export function collectTasks(
  inputs: readonly TaskInput[],
  defaults: TaskPolicy,
  report: Report,
): CollectedTasks {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const firsts: TaskInput[] = [];
  const kinds: TaskKind[] = [];
  const roles: TaskRole[] = [];
  const policies: TaskPolicy[] = [];
  const sensors: (SensorPolicy | undefined)[] = [];
  let repeats: Map<string, number> | undefined;
  for (let position = 0; position < inputs.length; position++) {
    const input = inputs[position]!;
    const id = input.id;
    const problem = checkId(id, "task id");
    if (problem) report(`task ${position + 1}: ${problem}`);
    if (typeof id !== "string" || id === "") continue;
    if (index.has(id)) {
      repeats ??= new Map();
      repeats.set(id, (repeats.get(id) ?? 1) + 1);
      continue;
    }
    const role = input.role ?? "plain";
    const sensor = role === "sensor" ? sensorOptions(input.options, id, report) : undefined;
    const { policy, problems } = sensor
      ? resolvePolicy(sensor.taskOptions, defaults, SENSOR_OPTION_NAMES)
      : resolvePolicy(input.options, defaults);
    for (let p = 0; p < problems.length; p++) report(problems[p]!, id);
    if (input.kind !== "bash" && input.kind !== "function") {
      report(`kind must be "bash" or "function", got ${describeValue(input.kind)}`, id);
    }
    if (role !== "plain" && input.kind !== "function") {
      report(`a ${role} task must be a function task`, id);
    }
    index.set(id, ids.length);
    ids.push(id);
    firsts.push(input);
    kinds.push(input.kind);
    roles.push(role);
    policies.push(policy);
    sensors.push(sensor?.sensor);
  }
  // In the order the repeated ids first appear.
  for (const [id, count] of [...(repeats ?? [])].sort(
    (a, b) => index.get(a[0])! - index.get(b[0])!,
  )) {
    report(`duplicate task id: ${count} tasks are called "${id}"`, id);
  }

  const from: number[] = [];
  const to: number[] = [];
  // Edges between task v and the tasks `refs` names: v waits for them (upstream) or they for v.
  const addEdges = (refs: readonly string[], v: number, upstream: boolean): void => {
    for (let k = 0; k < refs.length; k++) {
      const other = index.get(refs[k]!);
      if (other === undefined || other === v) {
        const text = upstream ? "depends on unknown task" : "lists unknown downstream task";
        report(edgeProblem(ids[v]!, refs[k]!, ids, text), ids[v]);
      } else {
        from.push(upstream ? other : v);
        to.push(upstream ? v : other);
      }
    }
  };
  for (let v = 0; v < ids.length; v++) {
    const id = ids[v]!;
    addEdges(listOf(firsts[v]!.upstream, "upstream", id, report), v, true);
    addEdges(listOf(firsts[v]!.downstream, "downstream", id, report), v, false);
  }
  return { ids, index, kinds, roles, policies, sensors, from, to };
}

// A sensor's own options, after reporting the bad ones; the rest are task options.
function sensorOptions(
  options: unknown,
  taskId: string,
  report: Report,
): ReturnType<typeof resolveSensorOptions> | undefined {
  if (typeof options !== "object" || options === null || Array.isArray(options)) return undefined;
  const resolved = resolveSensorOptions(options as Record<string, unknown>);
  for (const problem of resolved.problems) report(problem, taskId);
  return resolved;
}

// The task ids in a list, after reporting what is not one; the list itself when all are ids.
function listOf(value: unknown, name: string, taskId: string, report: Report): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(`${name} must be a list of task ids, got ${describeValue(value)}`, taskId);
    return [];
  }
  let allIds = true;
  for (let i = 0; i < value.length && allIds; i++) allIds = typeof value[i] === "string";
  if (allIds) return value as string[];
  const ids: string[] = [];
  value.forEach((ref, i) => {
    if (typeof ref === "string") ids.push(ref);
    else
      report(
        `${name} entry ${i + 1} must be a task or a task id, got ${describeValue(ref)}`,
        taskId,
      );
  });
  return ids;
}

// Why `ref` is not an edge of task `taskId`: the task itself, or no task at all.
function edgeProblem(
  taskId: string,
  ref: string,
  known: readonly string[],
  unknownText: string,
): string {
  if (ref === taskId) return "depends on itself";
  const guess = closest(ref, known);
  return `${unknownText} "${ref}"` + (guess ? ` (did you mean "${guess}"?)` : "");
}
