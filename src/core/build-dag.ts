import { checkId } from "./check-id.js";
import { collectTasks, type CollectedTasks, type Report } from "./collect-tasks.js";
import type { Dag, TaskSpec } from "./dag.js";
import type { DagInput } from "./dag-input.js";
import { resolveDagSettings } from "./dag-settings.js";
import { topologicalOrder } from "./graph.js";
import { namesOf, orderRanked, rankGraph, type RankedGraph } from "./ranked-graph.js";
import { DEFAULT_POLICY, resolvePolicy } from "./task-policy.js";

// The loader and the tests import buildDag's input types from here, next to buildDag.
export type { DagInput, TaskInput } from "./dag-input.js";

/** One problem in a pipeline definition: where (file, DAG, task) and what. */
export interface Issue {
  readonly file: string;
  readonly dagId?: string;
  readonly taskId?: string;
  readonly message: string;
}

export type BuildResult = { ok: true; dag: Dag } | { ok: false; issues: Issue[] };

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
    tasks.policies.forEach(({ triggerRule }, i) => {
      if (triggerRule !== "all_success") {
        report(
          `trigger rule ${triggerRule} is not allowed in a failFast DAG (only all_success)`,
          tasks.ids[i],
        );
      }
    });
  }
  const ordered = orderTasks(tasks, report);
  if (issues.length > 0 || ordered === undefined) return { ok: false, issues };
  const specs = taskSpecs(tasks, ordered.graph, ordered.order);
  return { ok: true, dag: { id: dagId!, file: input.file, ...settings, tasks: specs } };
}

/** `pipelines/etl.ts: dag "daily_sales": task "load": depends on unknown task "extrct" (...)`. */
export function formatIssue(issue: Issue): string {
  const dag = issue.dagId === undefined ? "" : ` dag "${issue.dagId}":`;
  const task = issue.taskId === undefined ? "" : ` task "${issue.taskId}":`;
  return `${issue.file}:${dag}${task} ${issue.message}`;
}

// The tasks by id in topological order, each with its sorted upstream and downstream ids.
function taskSpecs(
  tasks: CollectedTasks,
  graph: RankedGraph,
  order: Int32Array,
): Map<string, TaskSpec> {
  const { up, upStart, upEnd, down, downStart } = graph;
  const specs = new Map<string, TaskSpec>();
  for (const r of order) {
    const i = graph.indexOf[r]!;
    const id = graph.names[r]!;
    const upstream = namesOf(graph, up, upStart[r]!, upEnd[r]!);
    const downstream = namesOf(graph, down, downStart[r]!, downStart[r + 1]!);
    specs.set(id, taskSpec(id, tasks, i, upstream, downstream));
  }
  return specs;
}

// Listing the policy's fields (rather than spreading it) keeps their order and is cheaper.
function taskSpec(
  id: string,
  tasks: CollectedTasks,
  i: number,
  upstream: string[],
  downstream: string[],
): TaskSpec {
  const policy = tasks.policies[i]!;
  return {
    id,
    kind: tasks.kinds[i]!,
    role: tasks.roles[i]!,
    retries: policy.retries,
    retryDelayMs: policy.retryDelayMs,
    retryExponentialBackoff: policy.retryExponentialBackoff,
    maxRetryDelayMs: policy.maxRetryDelayMs,
    timeoutMs: policy.timeoutMs,
    triggerRule: policy.triggerRule,
    dependsOnPast: policy.dependsOnPast,
    queue: policy.queue,
    upstream,
    downstream,
    sensor: tasks.sensors[i],
  };
}

// Topological order (ranks of `graph`), or undefined after reporting every cycle: each one found
// is reported, its tasks set aside, and the rest searched again, so two separate cycles give two
// issues.
function orderTasks(
  tasks: CollectedTasks,
  report: Report,
): { graph: RankedGraph; order: Int32Array } | undefined {
  const graph = rankGraph(tasks.ids, tasks.index, tasks.from, tasks.to);
  const first = orderRanked(graph);
  if ("order" in first) return { graph, order: first.order };
  const upstreamOf = (id: string): string[] => {
    const r = graph.rankOf[tasks.index.get(id)!]!;
    return namesOf(graph, graph.up, graph.upStart[r]!, graph.upEnd[r]!);
  };
  const excluded = new Set<string>();
  let cycle = first.cycle;
  for (;;) {
    report(`cycle: ${cycle.join(" -> ")}`);
    cycle.forEach((id) => excluded.add(id));
    const rest = topologicalOrder(
      tasks.ids.filter((id) => !excluded.has(id)),
      upstreamOf,
    );
    if ("order" in rest) return undefined;
    cycle = rest.cycle;
  }
}
