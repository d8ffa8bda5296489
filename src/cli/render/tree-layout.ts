import type { Dag } from "../../core/dag.js";

interface Connectors {
  readonly tee: string;
  readonly last: string;
  readonly pipe: string;
  readonly space: string;
  readonly ref: string;
}

const UNICODE: Connectors = { tee: "├── ", last: "└── ", pipe: "│   ", space: "    ", ref: "↳" };
const ASCII: Connectors = { tee: "|-- ", last: "`-- ", pipe: "|   ", space: "    ", ref: "->" };

// Names listed in one "see above" line before the rest are counted instead.
const REF_NAMES = 5;

/** One line of the tree: a task, a one-line reference to a task shown elsewhere, or the slot for its reason. */
export type TreeItem =
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

export interface TreeLayoutOptions {
  /** Box-drawing connectors; false for ASCII. */
  readonly unicode: boolean;
  /** Deeper subtrees restart as their own section below. */
  readonly maxDepth: number;
  /** Emit a `reason` item under each task, for views that print why a task failed or skipped. */
  readonly withReasons: boolean;
}

/**
 * The DAG's lines, in order, with their connector prefixes: each root, then its downstream tasks
 * indented below it. Shared by `renderTree` and `renderGrid`, which differ only in what they print
 * beside each task. Walks depth first, iteratively: a 10,000-task chain would overflow the call stack.
 */
export function layOutTree(dag: Dag, options: TreeLayoutOptions): TreeItem[] {
  const { maxDepth, withReasons } = options;
  const c = options.unicode ? UNICODE : ASCII;
  const items: TreeItem[] = [];
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
function seeAbove(
  frame: Frame,
  stack: Frame[],
  printed: ReadonlySet<string>,
  c: Connectors,
): TreeItem {
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
