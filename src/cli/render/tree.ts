import type { Dag } from "../../core/dag.js";
import { formatDuration } from "../../core/duration.js";
import type { TaskInstance } from "../../core/run.js";
import { STATE_ORDER, chalkFor, dim, formatState, stateStyle, type ColorOption } from "./colors.js";
import { firstLine, formatTries } from "./format.js";

export interface TreeOptions {
  readonly color: ColorOption;
  /** Box-drawing characters and state symbols; false for ASCII only. Default true. */
  readonly unicode?: boolean;
  /** Deeper subtrees restart as their own section below, so a long chain is not indented quadratically. Default 30. */
  readonly maxDepth?: number;
}

interface Connectors {
  readonly tee: string;
  readonly last: string;
  readonly pipe: string;
  readonly space: string;
  readonly ref: string;
}

const UNICODE: Connectors = { tee: "├── ", last: "└── ", pipe: "│   ", space: "    ", ref: "↳" };
const ASCII: Connectors = { tee: "|-- ", last: "`-- ", pipe: "|   ", space: "    ", ref: "->" };

// Past this many columns the state column stops lining up, so one deep task cannot push every state off screen.
const MAX_ALIGN = 48;
// Names listed in one "see above" line before the rest are counted instead.
const REF_NAMES = 5;

type Item =
  | { readonly kind: "task"; readonly prefix: string; readonly id: string; readonly from?: string }
  | { readonly kind: "ref"; readonly prefix: string; readonly id: string; readonly note: string }
  | { readonly kind: "reason"; readonly prefix: string; readonly id: string };

interface Frame {
  readonly id: string;
  /** Connector text in front of this task's line. */
  readonly prefix: string;
  /** Indentation in front of its children's connectors. */
  readonly indent: string;
  readonly depth: number;
  readonly parent: string | undefined;
  /** Which expansion pushed this frame: frames sharing it are siblings. */
  readonly family: number;
}

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
  const items = layOutTree(
    dag,
    options.unicode ?? true,
    options.maxDepth ?? 30,
    tasks !== undefined,
  );
  return formatItems(items, dag, tasks, options);
}

/** Walks the DAG depth first (iteratively: a 10,000-task chain would overflow the call stack). */
function layOutTree(dag: Dag, unicode: boolean, maxDepth: number, withReasons: boolean): Item[] {
  const c = unicode ? UNICODE : ASCII;
  const items: Item[] = [];
  const printed = new Set<string>();
  const sections: { id: string; from?: string }[] = [...dag.tasks.values()]
    .filter((task) => task.upstream.length === 0)
    .map((task) => task.id)
    .sort()
    .map((id) => ({ id }));
  const queued = new Set<string>();
  let family = 0;
  for (let s = 0; s < sections.length; s++) {
    const section = sections[s]!;
    if (printed.has(section.id)) continue;
    const stack: Frame[] = [
      { id: section.id, prefix: "", indent: "", depth: 0, parent: undefined, family: -1 },
    ];
    let from = section.from;
    while (stack.length > 0) {
      const frame = stack.pop()!;
      const children = dag.tasks.get(frame.id)?.downstream ?? [];
      if (printed.has(frame.id)) {
        items.push(seeAbove(frame, stack, printed, c));
        continue;
      }
      if (frame.depth >= maxDepth && children.length > 0) {
        items.push({
          kind: "ref",
          prefix: frame.prefix,
          id: frame.id,
          note: `${c.ref} ${frame.id} (continued below)`,
        });
        if (!queued.has(frame.id)) {
          queued.add(frame.id);
          sections.push({ id: frame.id, from: frame.parent });
        }
        continue;
      }
      printed.add(frame.id);
      items.push({ kind: "task", prefix: frame.prefix, id: frame.id, from });
      from = undefined;
      if (withReasons) {
        items.push({
          kind: "reason",
          prefix: frame.indent + (children.length > 0 ? c.pipe : c.space),
          id: frame.id,
        });
      }
      family++;
      for (let i = children.length - 1; i >= 0; i--) {
        const isLast = i === children.length - 1;
        stack.push({
          id: children[i]!,
          prefix: frame.indent + (isLast ? c.last : c.tee),
          indent: frame.indent + (isLast ? c.space : c.pipe),
          depth: frame.depth + 1,
          parent: frame.id,
          family,
        });
      }
    }
  }
  return items;
}

/**
 * One reference line for `frame` and the siblings right after it that were printed already, so a
 * task whose children all appeared above costs one line, not one per edge (a dense layered DAG
 * would otherwise print a line per edge: about a million for 100 layers of 100 tasks).
 */
function seeAbove(frame: Frame, stack: Frame[], printed: ReadonlySet<string>, c: Connectors): Item {
  const ids = [frame.id];
  let last = frame;
  for (
    let top = stack.at(-1);
    top !== undefined && top.family === frame.family && printed.has(top.id);
    top = stack.at(-1)
  ) {
    last = stack.pop()!;
    ids.push(last.id);
  }
  const shown =
    ids.length > REF_NAMES
      ? `${ids.slice(0, REF_NAMES - 1).join(", ")} and ${ids.length - REF_NAMES + 1} more`
      : ids.join(", ");
  return { kind: "ref", prefix: last.prefix, id: frame.id, note: `${c.ref} ${shown} (see above)` };
}

/** What every line needs to know, looked up once rather than per line. */
interface LineContext {
  readonly dag: Dag;
  readonly tasks: Readonly<Record<string, TaskInstance>> | undefined;
  readonly color: ColorOption;
  readonly unicode: boolean;
  readonly faint: (text: string) => string;
  /** Column where the state starts, for lining states up. */
  readonly width: number;
  readonly symbolWidth: number;
}

/** Turns laid-out items into lines, lining up the state column. */
function formatItems(
  items: readonly Item[],
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
function formatTaskLine(item: Extract<Item, { kind: "task" }>, ctx: LineContext): string {
  const { tasks, color, unicode } = ctx;
  const head = tasks === undefined ? "" : paintedSymbol(tasks[item.id], color, unicode) + " ";
  const right =
    tasks === undefined
      ? describeSpec(ctx.dag, item.id, color)
      : describeInstance(tasks[item.id], color, unicode);
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
    ti.state === "up_for_retry"
  );
}

/** `failed (try 3/3, 1.2s)`; a task the run does not know yet (added since) shows as none. */
function describeInstance(
  ti: TaskInstance | undefined,
  color: ColorOption,
  unicode: boolean,
): string {
  if (ti === undefined) return stateStyle("none", color, unicode).paint("none");
  const details = [
    formatTries(ti),
    ti.duration_ms === null ? "" : formatDuration(ti.duration_ms),
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
