import type { Dag } from "../../core/dag.js";
import { formatDuration } from "../../core/duration.js";
import type { TaskInstance } from "../../core/run.js";
import { STATE_ORDER, chalkFor, dim, formatState, stateStyle, type ColorOption } from "./colors.js";
import { firstLine, formatTimestamp, formatTries } from "./format.js";
import { layOutTree, type TreeItem } from "./tree-layout.js";

export interface TreeOptions {
  readonly color: ColorOption;
  /** Box-drawing characters and state symbols; false for ASCII only. Default true. */
  readonly unicode?: boolean;
  /** Deeper subtrees restart as their own section below, so a long chain is not indented quadratically. Default 30. */
  readonly maxDepth?: number;
  /** Tasks whose try was lost with the run's flow process, not recovered yet (ShownRun.lost). */
  readonly lost?: readonly string[];
}

// Past this many columns the state column stops lining up, so one deep task cannot push every state off screen.
const MAX_ALIGN = 48;

/**
 * The DAG as a tree, like `airflow tasks list --tree`: each root, then its downstream tasks indented
 * below it. Unlike Airflow's, a task with several parents is printed in full once and as a one-line
 * reference afterwards, so the output grows with the number of edges, not the number of paths.
 * `tasks` is a run's task instances; without it the tree shows the DAG's shape only.
 */
export function renderTree(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>> | undefined,
  options: TreeOptions,
): string {
  const items = layOutTree(dag, {
    unicode: options.unicode ?? true,
    maxDepth: options.maxDepth ?? 30,
    withReasons: tasks !== undefined,
  });
  return formatItems(items, dag, tasks, options);
}

/** What every line needs to know, looked up once rather than per line. */
interface LineContext {
  readonly dag: Dag;
  readonly tasks: Readonly<Record<string, TaskInstance>> | undefined;
  readonly color: ColorOption;
  readonly unicode: boolean;
  readonly faint: (text: string) => string;
  readonly lost: ReadonlySet<string>;
  /** Column where the state starts, for lining states up. */
  readonly width: number;
  readonly symbolWidth: number;
}

/** Turns laid-out items into lines, lining up the state column. */
function formatItems(
  items: readonly TreeItem[],
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>> | undefined,
  options: TreeOptions,
): string {
  const symbolWidth = tasks === undefined ? 0 : 2;
  let width = 0;
  for (const item of items) {
    if (item.kind === "task")
      width = Math.max(width, item.prefix.length + symbolWidth + item.id.length);
  }
  const faint = chalkFor(options.color).dim;
  const ctx: LineContext = {
    dag,
    tasks,
    color: options.color,
    unicode: options.unicode ?? true,
    faint: (text) => faint(text),
    lost: new Set(options.lost),
    width: Math.min(width, MAX_ALIGN) + 2,
    symbolWidth,
  };
  const lines: string[] = [];
  for (const item of items) {
    if (item.kind === "ref") {
      lines.push(ctx.faint(item.prefix + item.note));
    } else if (item.kind === "reason") {
      const ti = tasks?.[item.id];
      if (ti !== undefined && hasReasonLine(ti))
        lines.push(ctx.faint(item.prefix + firstLine(ti.reason!)));
    } else {
      lines.push(formatTaskLine(item, ctx));
    }
  }
  return lines.join("\n");
}

/** `├── ✘ extract    failed (try 3/3, 1.2s)`, or `├── extract` when there is no run. */
function formatTaskLine(item: Extract<TreeItem, { kind: "task" }>, ctx: LineContext): string {
  const { tasks, color, unicode } = ctx;
  const head = tasks === undefined ? "" : paintedSymbol(tasks[item.id], color, unicode) + " ";
  const right =
    tasks === undefined
      ? describeSpec(ctx.dag, item.id, color)
      : describeInstance(tasks[item.id], color, unicode, ctx.lost.has(item.id));
  const left = item.prefix.length + ctx.symbolWidth + item.id.length;
  const pad = right === "" ? "" : " ".repeat(Math.max(2, ctx.width - left));
  const continued = item.from === undefined ? "" : ctx.faint(`  (continued from ${item.from})`);
  return ctx.faint(item.prefix) + head + item.id + pad + right + continued;
}

/** The state symbol in its colour; a task missing from the run shows as none. */
function paintedSymbol(ti: TaskInstance | undefined, color: ColorOption, unicode: boolean): string {
  const style = stateStyle(ti?.state ?? "none", color, unicode);
  return style.paint(style.symbol);
}

/** Failure, skip and retry reasons get their own line; other states have nothing to explain. */
function hasReasonLine(ti: TaskInstance): boolean {
  if (ti.reason === null || firstLine(ti.reason) === "") return false;
  return (
    ti.state === "failed" ||
    ti.state === "upstream_failed" ||
    ti.state === "skipped" ||
    ti.state === "up_for_retry" ||
    ti.state === "up_for_reschedule"
  );
}

/**
 * `failed (try 3/3, 1.2s)`, or `failed (lost, try 1/3, 1.2s)` for a try lost with the run's flow
 * process; a task the run does not know yet (added since) shows as none.
 */
function describeInstance(
  ti: TaskInstance | undefined,
  color: ColorOption,
  unicode: boolean,
  lost: boolean,
): string {
  if (ti === undefined) return stateStyle("none", color, unicode).paint("none");
  const details = [
    lost ? "lost" : "",
    formatTries(ti),
    ti.duration_ms === null ? "" : formatDuration(ti.duration_ms),
    ti.state === "up_for_reschedule" && ti.next_try_at !== null
      ? `next poke at ${formatTimestamp(ti.next_try_at)}`
      : "",
  ].filter((d) => d !== "");
  const state = stateStyle(ti.state, color, unicode).paint(ti.state);
  return details.length === 0 ? state : `${state} ${dim(`(${details.join(", ")})`, color)}`;
}

/** Without a run, show what is unusual about a task: a trigger rule other than the default. */
function describeSpec(dag: Dag, id: string, color: ColorOption): string {
  const spec = dag.tasks.get(id);
  if (spec === undefined || spec.triggerRule === "all_success") return "";
  return dim(`[${spec.triggerRule}]`, color);
}

/** One line naming every task state in its colour and symbol, to print under a tree. */
export function renderLegend(color: ColorOption, unicode = true): string {
  return STATE_ORDER.map((state) => formatState(state, color, unicode)).join("  ");
}
