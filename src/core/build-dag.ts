import type { Dag, TaskKind, TaskPolicy, TaskRole, TaskSpec } from "./dag.js";
import { resolveDagSettings, type DagSettingsInput } from "./dag-settings.js";
import { describeValue } from "./describe-value.js";
import { closest } from "./did-you-mean.js";
import { topologicalOrder } from "./graph.js";
import { DEFAULT_POLICY, resolvePolicy } from "./task-policy.js";

/** A task as the loader found it; `upstream`/`downstream` hold task ids as the author wrote them. */
export interface TaskInput {
  id: unknown;
  kind: TaskKind;
  /** Default "plain". */
  role?: TaskRole;
  upstream: unknown[];
  downstream: unknown[];
  options: Record<string, unknown>;
}

/** A DAG as the loader found it: nothing checked yet. */
export interface DagInput extends DagSettingsInput {
  file: string;
  id: unknown;
  defaults?: unknown;
  tasks: TaskInput[];
}

/** One problem in a pipeline definition: where (file, DAG, task) and what. */
export interface Issue {
  readonly file: string;
  readonly dagId?: string;
  readonly taskId?: string;
  readonly message: string;
}

export type BuildResult = { ok: true; dag: Dag } | { ok: false; issues: Issue[] };

// Ids end up in file paths and run ids: no "/", no leading "." (so never "." or ".."), no spaces.
const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const ID_MAX_LENGTH = 250;
const ID_RULE = `use letters, digits, "_", "-" and "." (not first), at most ${ID_MAX_LENGTH} characters`;

/**
 * Validates a DAG and turns it into a Dag, or returns every problem found (it never stops at the
 * first). `downstream` lists become upstream edges of their targets; DAG `defaults` apply to each
 * task option the task does not set; `tasks` comes out in topological order with sorted edges.
 */
export function buildDag(input: DagInput): BuildResult {
  const issues: Issue[] = [];
  const idProblem = checkId(input.id, "dag id");
  const dagId = typeof input.id === "string" && input.id !== "" ? input.id : undefined;
  const report = (message: string, taskId?: string): void => {
    issues.push({
      file: input.file,
      ...(dagId === undefined ? {} : { dagId }),
      ...(taskId === undefined ? {} : { taskId }),
      message,
    });
  };
  if (idProblem) issues.push({ file: input.file, message: idProblem });

  const { settings, problems } = resolveDagSettings(input);
  problems.forEach((problem) => report(problem));
  const defaults = resolvePolicy(input.defaults, DEFAULT_POLICY);
  defaults.problems.forEach((problem) => report(`defaults: ${problem}`));

  const inputs = Array.isArray(input.tasks) ? input.tasks : [];
  if (inputs.length === 0) report("has no tasks: a DAG needs at least one task");

  const tasks = collectTasks(inputs, defaults.policy, report);
  if (settings.failFast) {
    // Airflow allows only the default rule with fail_fast: other rules would wait for tasks
    // that fail_fast has just skipped.
    for (const task of tasks.values()) {
      if (task.policy.triggerRule !== "all_success") {
        report(
          `trigger rule ${task.policy.triggerRule} is not allowed in a failFast DAG (only all_success)`,
          task.id,
        );
      }
    }
  }
  const order = orderTasks(tasks, report);
  if (issues.length > 0 || order === undefined) return { ok: false, issues };

  const downstream = new Map<string, string[]>([...tasks.keys()].map((id) => [id, []]));
  for (const task of tasks.values()) {
    for (const up of task.upstream) downstream.get(up)!.push(task.id);
  }
  const specs = new Map<string, TaskSpec>();
  for (const id of order) {
    const task = tasks.get(id)!;
    specs.set(id, {
      id,
      kind: task.kind,
      role: task.role,
      ...task.policy,
      upstream: [...task.upstream].sort(),
      downstream: downstream.get(id)!.sort(),
    });
  }
  return { ok: true, dag: { id: dagId!, file: input.file, ...settings, tasks: specs } };
}

/** `pipelines/etl.ts: dag "daily_sales": task "load": depends on unknown task "extrct" (...)`. */
export function formatIssue(issue: Issue): string {
  const dag = issue.dagId === undefined ? "" : ` dag "${issue.dagId}":`;
  const task = issue.taskId === undefined ? "" : ` task "${issue.taskId}":`;
  return `${issue.file}:${dag}${task} ${issue.message}`;
}

interface CollectedTask {
  readonly id: string;
  readonly kind: TaskKind;
  readonly role: TaskRole;
  readonly policy: TaskPolicy;
  readonly upstream: Set<string>;
}

type Report = (message: string, taskId?: string) => void;

// Checks each task on its own (id, options), then its edges against the set of known ids.
function collectTasks(
  inputs: readonly TaskInput[],
  defaults: TaskPolicy,
  report: Report,
): Map<string, CollectedTask> {
  const tasks = new Map<string, CollectedTask>();
  const counts = new Map<string, number>();
  inputs.forEach((input, position) => {
    const problem = checkId(input.id, "task id");
    if (problem) report(`task ${position + 1}: ${problem}`);
    if (typeof input.id !== "string" || input.id === "") return;
    const id = input.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (tasks.has(id)) return;
    const { policy, problems } = resolvePolicy(input.options, defaults);
    problems.forEach((message) => report(message, id));
    if (input.kind !== "bash" && input.kind !== "function") {
      report(`kind must be "bash" or "function", got ${describeValue(input.kind)}`, id);
    }
    const role = input.role ?? "plain";
    if (role !== "plain" && input.kind !== "function") {
      report(`a ${role} task must be a function task`, id);
    }
    tasks.set(id, { id, kind: input.kind, role, policy, upstream: new Set() });
  });
  for (const [id, count] of counts) {
    if (count > 1) report(`duplicate task id: ${count} tasks are called "${id}"`, id);
  }

  const known = [...tasks.keys()];
  const seen = new Set<string>();
  for (const input of inputs) {
    const task = typeof input.id === "string" ? tasks.get(input.id) : undefined;
    if (task === undefined || seen.has(task.id)) continue;
    seen.add(task.id);
    for (const ref of listOf(input.upstream, "upstream", task.id, report)) {
      const problem = edgeProblem(task.id, ref, known, tasks, "depends on unknown task");
      if (problem) report(problem, task.id);
      else task.upstream.add(ref);
    }
    for (const ref of listOf(input.downstream, "downstream", task.id, report)) {
      const problem = edgeProblem(task.id, ref, known, tasks, "lists unknown downstream task");
      if (problem) report(problem, task.id);
      else tasks.get(ref)!.upstream.add(task.id);
    }
  }
  return tasks;
}

function listOf(value: unknown, name: string, taskId: string, report: Report): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(`${name} must be a list of task ids, got ${describeValue(value)}`, taskId);
    return [];
  }
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

function edgeProblem(
  taskId: string,
  ref: string,
  known: readonly string[],
  tasks: ReadonlyMap<string, CollectedTask>,
  unknownText: string,
): string | undefined {
  if (ref === taskId) return "depends on itself";
  if (tasks.has(ref)) return undefined;
  const guess = closest(ref, known);
  return `${unknownText} "${ref}"` + (guess ? ` (did you mean "${guess}"?)` : "");
}

// Topological order, or undefined after reporting every cycle: each one found is reported, its
// tasks set aside, and the rest searched again, so two separate cycles give two issues.
function orderTasks(
  tasks: ReadonlyMap<string, CollectedTask>,
  report: Report,
): string[] | undefined {
  const excluded = new Set<string>();
  let cycles = 0;
  for (;;) {
    const ids = [...tasks.keys()].filter((id) => !excluded.has(id));
    const result = topologicalOrder(ids, (id) => [...tasks.get(id)!.upstream]);
    if ("order" in result) return cycles === 0 ? result.order : undefined;
    cycles++;
    report(`cycle: ${result.cycle.join(" -> ")}`);
    result.cycle.forEach((id) => excluded.add(id));
  }
}

function checkId(value: unknown, what: string): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `${what} must be a non-empty string, got ${describeValue(value)}`;
  }
  if (value.length > ID_MAX_LENGTH)
    return `${what} "${value.slice(0, 40)}..." is too long: ${ID_RULE}`;
  if (!ID_PATTERN.test(value)) return `${what} "${value}" is not valid: ${ID_RULE}`;
  // An own "__proto__" key is easy to lose in a plain object (run.tasks is keyed by task id).
  if (value === "__proto__") return `${what} "__proto__" is reserved`;
  return undefined;
}
