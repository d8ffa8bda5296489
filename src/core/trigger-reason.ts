import type { TriggerRule } from "./dag.js";
import { quoteList } from "./describe-value.js";
import type { TaskState } from "./states.js";

/**
 * Why a task will never run, for its `reason`: names the upstream tasks that decided it, e.g.
 * `upstream task "extract" failed`, `upstream task "branch" was skipped`; rules other than the
 * default all_success are named first: `trigger rule one_success: no upstream task succeeded`.
 */
export function explainTrigger(
  rule: TriggerRule,
  decision: "skip" | "upstream_failed",
  upstream: readonly { readonly id: string; readonly state: TaskState }[],
): string {
  const prefix = rule === "all_success" ? "" : `trigger rule ${rule}: `;
  const named = (states: readonly TaskState[], verb: string): string => {
    const ids = upstream.filter((u) => states.includes(u.state)).map((u) => u.id);
    return `upstream ${ids.length === 1 ? "task" : "tasks"} ${quoteList(ids)} ${verb}`;
  };
  const failures = (): string => {
    const failed = upstream.some((u) => u.state === "failed");
    const upstreamFailed = upstream.some((u) => u.state === "upstream_failed");
    const parts = [
      ...(failed ? [named(["failed"], "failed")] : []),
      ...(upstreamFailed ? [named(["upstream_failed"], "could not run (upstream_failed)")] : []),
    ];
    return parts.join("; ");
  };
  switch (rule) {
    case "all_success":
    case "none_failed":
    case "none_failed_min_one_success":
      if (decision === "upstream_failed") return prefix + failures();
      return (
        prefix +
        (rule === "all_success"
          ? named(["skipped"], "was skipped")
          : "every upstream task was skipped")
      );
    case "all_failed":
      return prefix + named(["success", "skipped"], "did not fail");
    case "all_skipped":
      return prefix + named(["success", "failed", "upstream_failed"], "was not skipped");
    case "one_success":
      return (
        prefix +
        (decision === "skip" ? "every upstream task was skipped" : "no upstream task succeeded")
      );
    case "one_failed":
      return prefix + "no upstream task failed";
    case "one_done":
      return prefix + "no upstream task succeeded or failed";
    case "none_skipped":
      return prefix + named(["skipped"], "was skipped");
    case "all_done":
    case "always":
      return prefix + "cannot happen: this rule never skips";
  }
}
