import type { Dag } from "../../core/dag.js";
import type { DagRun, RunType, TaskInstance } from "../../core/run.js";
import {
  STATE_ORDER,
  bold,
  chalkFor,
  formatState,
  stateStyle,
  type AnyState,
  type ColorOption,
} from "./colors.js";
import { shortenEnd, shortenMiddle } from "./format.js";
import { labelRuns, shortContext } from "./run-labels.js";
import { layOutTree, type TreeItem } from "./tree-layout.js";

export interface GridOptions {
  readonly color: ColorOption;
  /** Box-drawing characters and state symbols; false for ASCII only. Default true. */
  readonly unicode?: boolean;
  /** Terminal columns: no line is longer. Default 80. */
  readonly width?: number;
}

// Columns between the tree and the first run.
const GAP = 2;
// The tree keeps at least this many columns; runs that would squeeze it further are left out, oldest first.
const MIN_TREE = 16;
// Columns of a task id that indentation never eats into: deeper subtrees continue as sections below.
const MIN_ID = 8;
// renderTree's default; the grid lowers it further when the tree column is narrow.
const MAX_DEPTH = 30;

// Airflow's grid marks manual and backfill runs with icons; a letter survives NO_COLOR and ASCII.
const RUN_TYPE_MARKS: Readonly<Record<RunType, string>> = {
  manual: "m",
  scheduled: "s",
  backfill: "b",
};

const TRY_NOTE = "failed on try 3";

const ROW_LABELS = { context: "logical date", type: "run type", state: "run state" } as const;

/** Everything a line needs, worked out once for the whole grid. */
interface GridLayout {
  readonly runs: readonly DagRun[];
  readonly hidden: number;
  readonly cellWidth: number;
  readonly treeWidth: number;
  readonly width: number;
  readonly color: ColorOption;
  readonly unicode: boolean;
  readonly ellipsis: string;
  readonly faint: (text: string) => string;
}

/**
 * Airflow's grid view in a terminal: the DAG's task tree on the left and one column per run on
 * the right, oldest run left. A cell is the task instance's state symbol in its colour, followed by
 * its try number when above one (`✘3`); a task a run does not know (added since) is blank. Above
 * the columns: the logical dates (as short labels) and run types; below: each run's state, then a
 * legend. Every line fits `width`: ids are shortened in the middle, deep subtrees continue below,
 * and runs that do not fit are left out, oldest first (the title says how many).
 * `runs` may come in any order; they are sorted by logical date.
 */
export function renderGrid(
  dag: Dag,
  runs: readonly DagRun[],
  options: { color: ColorOption; unicode?: boolean; width?: number },
): string {
  const unicode = options.unicode ?? true;
  const width = Math.max(MIN_TREE + GAP + 2, options.width ?? 80);
  const sorted = [...runs].sort(compareRuns);
  const fitting = Math.max(1, Math.floor((width - GAP - MIN_TREE + 1) / pitchOf(sorted)));
  const shown = sorted.slice(-fitting);
  const gridWidth = shown.length === 0 ? 0 : shown.length * pitchOf(shown) - 1;
  const room = width - GAP - gridWidth;
  const items = layOutTree(dag, {
    unicode,
    maxDepth: Math.max(1, Math.min(MAX_DEPTH, Math.floor((room - MIN_ID) / 4))),
    withReasons: false,
  });
  const faint = chalkFor(options.color).dim;
  const layout: GridLayout = {
    runs: shown,
    hidden: sorted.length - shown.length,
    cellWidth: pitchOf(shown) - 1,
    treeWidth: Math.min(room, treeWidthOf(items, shown.length > 0)),
    width,
    color: options.color,
    unicode,
    ellipsis: unicode ? "…" : "~",
    faint: (text) => faint(text),
  };
  const lines = [formatTitle(dag, layout)];
  if (shown.length > 0) lines.push(...formatHeader(dag, layout));
  for (const item of items) {
    if (item.kind === "task") lines.push(formatTaskRow(item, layout));
    else if (item.kind === "ref")
      lines.push(layout.faint(shortenEnd(item.prefix + item.note, width, layout.ellipsis)));
  }
  if (shown.length > 0) {
    lines.push(
      formatRow(
        ROW_LABELS.state,
        shown.map((run) => stateCell(run.state, layout)),
        layout,
      ),
    );
    lines.push(...formatLegend(layout));
  }
  return lines.map((line) => line.replace(/ +$/, "")).join("\n");
}

/** Oldest first: by logical date, then by when the run was queued, then by id so the order is stable. */
function compareRuns(a: DagRun, b: DagRun): number {
  return (
    Date.parse(a.logical_date) - Date.parse(b.logical_date) ||
    Date.parse(a.queued_at) - Date.parse(b.queued_at) ||
    a.run_id.localeCompare(b.run_id)
  );
}

/** Columns per run: a cell wide enough for the symbol and the longest try number shown, plus a space. */
function pitchOf(runs: readonly DagRun[]): number {
  let widest = 0;
  for (const run of runs)
    for (const ti of Object.values(run.tasks))
      if (ti.try_number > 1) widest = Math.max(widest, String(ti.try_number).length);
  // Two columns at least: the date labels (`24`) are two digits.
  return Math.max(2, 1 + widest) + 1;
}

/** Columns the tree needs: its longest task line, and the row labels when there are runs. */
function treeWidthOf(items: readonly TreeItem[], withRuns: boolean): number {
  let widest = withRuns ? Math.max(...Object.values(ROW_LABELS).map((label) => label.length)) : 0;
  for (const item of items)
    if (item.kind === "task") widest = Math.max(widest, item.prefix.length + item.id.length);
  return widest;
}

/** `etl  3 runs`, saying so when older runs were left out to fit the width. */
function formatTitle(dag: Dag, layout: GridLayout): string {
  const { runs, hidden } = layout;
  const count =
    runs.length === 0
      ? "no runs yet"
      : hidden > 0
        ? `${runs.length} of ${runs.length + hidden} runs (the ${hidden} oldest do not fit in ${layout.width} columns)`
        : `${runs.length} ${runs.length === 1 ? "run" : "runs"}`;
  const zone = dag.timezone === "UTC" || runs.length === 0 ? "" : `, dates in ${dag.timezone}`;
  const rest = `  ${count}${zone}`;
  const id = shortenMiddle(dag.id, Math.max(MIN_ID, layout.width - rest.length), layout.ellipsis);
  return bold(id, layout.color) + layout.faint(shortenEnd(rest, layout.width - id.length));
}

/** Three rows above the columns: where the dates change (`2026-11`), the date labels, the run types. */
function formatHeader(dag: Dag, layout: GridLayout): string[] {
  const { runs, cellWidth } = layout;
  const { unit, labels, contexts } = labelRuns(
    runs.map((run) => run.logical_date),
    dag.timezone,
  );
  const right = layout.width - layout.treeWidth - GAP;
  const context = Array<string>(right).fill(" ");
  // Each context (a month above days) is printed where it starts, in the room before the next
  // one starts: the full form when it fits, else the short one (`11` for a month with one day
  // shown), so a month boundary is never hidden under the previous month's label.
  const starts = runs.flatMap((_, i) => (i === 0 || contexts[i] !== contexts[i - 1] ? [i] : []));
  starts.forEach((i, k) => {
    const at = i * (cellWidth + 1);
    if (at >= right) return;
    const next = starts[k + 1];
    const room = (next === undefined ? right + 1 : next * (cellWidth + 1)) - at - 1;
    const full = contexts[i]!;
    const short = shortContext(full, unit);
    const text =
      full.length <= room
        ? full
        : short.length <= room
          ? short
          : shortenEnd(full, Math.max(1, room), layout.ellipsis);
    context.splice(at, text.length, ...text);
  });
  return [
    formatLeft(ROW_LABELS.context, layout) +
      " ".repeat(GAP) +
      layout.faint(context.join("").trimEnd()),
    formatRow(
      unit,
      labels.map((label) => label.padEnd(cellWidth)),
      layout,
    ),
    formatRow(
      ROW_LABELS.type,
      runs.map((run) => layout.faint(RUN_TYPE_MARKS[run.run_type]) + " ".repeat(cellWidth - 1)),
      layout,
    ),
  ];
}

/** `├── transform     ✔  ✘3 ↑`: the task's line of the tree, then its cell in each run. */
function formatTaskRow(item: Extract<TreeItem, { kind: "task" }>, layout: GridLayout): string {
  const cells = layout.runs.map((run) => taskCell(run.tasks[item.id], layout));
  const room = layout.treeWidth - item.prefix.length;
  const id = shortenMiddle(item.id, room, layout.ellipsis);
  const from = item.from === undefined ? "" : `  (continued from ${item.from})`;
  const note = id.length + from.length <= room ? layout.faint(from) : "";
  const left = layout.faint(item.prefix) + id + note;
  const used = item.prefix.length + id.length + (note === "" ? 0 : from.length);
  if (cells.length === 0) return left;
  return left + " ".repeat(layout.treeWidth - used + GAP) + cells.join(" ");
}

/** A row of the header or footer: a faint label on the left, cells on the right. */
function formatRow(label: string, cells: readonly string[], layout: GridLayout): string {
  return formatLeft(label, layout) + " ".repeat(GAP) + cells.join(" ");
}

/** A row label padded to the tree's width, shortened if the tree column is narrower. */
function formatLeft(label: string, layout: GridLayout): string {
  return layout.faint(
    shortenEnd(label, layout.treeWidth, layout.ellipsis).padEnd(layout.treeWidth),
  );
}

/** `✘3`: symbol and try number (when above one) in the state's colour, padded to the cell width. */
function taskCell(ti: TaskInstance | undefined, layout: GridLayout): string {
  if (ti === undefined) return " ".repeat(layout.cellWidth);
  const style = stateStyle(ti.state, layout.color, layout.unicode);
  const text = style.symbol + (ti.try_number > 1 ? String(ti.try_number) : "");
  return style.paint(text) + " ".repeat(layout.cellWidth - text.length);
}

/** A run state's symbol in its colour, padded to the cell width. */
function stateCell(state: AnyState, layout: GridLayout): string {
  const style = stateStyle(state, layout.color, layout.unicode);
  return style.paint(style.symbol) + " ".repeat(layout.cellWidth - 1);
}

/** Every state with its symbol, then how tries and run types are marked, wrapped to the width. */
function formatLegend(layout: GridLayout): string[] {
  const { color, unicode } = layout;
  const states = STATE_ORDER.map((state) => ({
    text: formatState(state, color, unicode),
    length: stateStyle(state, false, unicode).symbol.length + 1 + state.length,
  }));
  const failed = stateStyle("failed", color, unicode);
  const marks = [
    { text: `${failed.paint(`${failed.symbol}3`)} ${TRY_NOTE}`, length: 3 + TRY_NOTE.length },
    ...Object.entries(RUN_TYPE_MARKS).map(([type, mark]) => ({
      text: `${layout.faint(mark)} ${type}`,
      length: mark.length + 1 + type.length,
    })),
  ];
  return [...wrap(states, layout.width), ...wrap(marks, layout.width)];
}

/** Joins entries with two spaces, starting a new line before one that would pass `width`. */
function wrap(entries: readonly { text: string; length: number }[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  let used = 0;
  for (const entry of entries) {
    if (used > 0 && used + 2 + entry.length > width) {
      lines.push(line);
      line = "";
      used = 0;
    }
    line += (used > 0 ? "  " : "") + entry.text;
    used += (used > 0 ? 2 : 0) + entry.length;
  }
  if (used > 0) lines.push(line);
  return lines;
}
