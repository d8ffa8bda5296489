import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import ts from "typescript";

/** Source files by path relative to the repository root (`src/core/dag.ts`), with their text. */
export type SourceFiles = ReadonlyMap<string, string>;

/** Each file's relative imports that resolve to another source file, in the order written. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Every .ts file under `dir` (relative to `root`), read. */
export function readSourceFiles(root: string, dir: string): SourceFiles {
  const files = new Map<string, string>();
  const entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(toPosix(relative(root, path)), readFileSync(path, "utf8"));
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The module specifiers a file imports: static imports and re-exports (`import type` too), bare
 * `import "x"` and dynamic `import("x")`, as TypeScript's own scanner finds them (so comments and
 * strings that merely look like imports are not counted).
 */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/**
 * The graph of relative imports between `files`. A specifier ending in .js names the .ts file
 * beside it (TypeScript's ESM convention); one that reaches no file in `files` is left out.
 */
export function buildImportGraph(files: SourceFiles): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const [path, text] of files) {
    const targets = importSpecifiers(text)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => resolveImport(files, path, specifier))
      .filter((target): target is string => target !== undefined);
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

function resolveImport(files: SourceFiles, from: string, specifier: string): string | undefined {
  const base = toPosix(join(dirname(from), specifier));
  const candidates = [base.replace(/\.(m?)js$/, ".$1ts"), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * The import cycles in `graph`, one per group of files that import each other (a strongly
 * connected component), each as a chain that starts and ends at the group's first file:
 * `["a.ts", "b.ts", "a.ts"]`. The chain is a shortest way round; `others` are the group's files it
 * does not pass through. A file that imports itself is a cycle of one.
 */
export function findImportCycles(
  graph: ImportGraph,
): { readonly chain: readonly string[]; readonly others: readonly string[] }[] {
  return stronglyConnected(graph)
    .filter((group) => group.length > 1 || (graph.get(group[0]!) ?? []).includes(group[0]!))
    .map((group) => {
      const members = new Set(group);
      const start = [...group].sort()[0]!;
      const chain = shortestCycle(graph, start, members);
      const passed = new Set(chain);
      return { chain, others: [...group].filter((file) => !passed.has(file)).sort() };
    })
    .sort((a, b) => a.chain[0]!.localeCompare(b.chain[0]!));
}

/** `a.ts -> b.ts -> a.ts (the circle also takes in c.ts)`. */
export function describeCycle(cycle: {
  readonly chain: readonly string[];
  readonly others: readonly string[];
}): string {
  const rest =
    cycle.others.length > 0 ? ` (the circle also takes in ${cycle.others.join(", ")})` : "";
  return `${cycle.chain.join(" -> ")}${rest}`;
}

// Breadth-first from `start` back to itself, staying inside `members`.
function shortestCycle(graph: ImportGraph, start: string, members: ReadonlySet<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let index = 0; index < queue.length; index++) {
    const file = queue[index]!;
    for (const next of graph.get(file) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path: string[] = [];
        for (let at = file; at !== start; at = previous.get(at)!) path.unshift(at);
        return [start, ...path, start];
      }
      if (previous.has(next)) continue;
      previous.set(next, file);
      queue.push(next);
    }
  }
  return [start, start];
}

// Tarjan's algorithm, iterative (a deep import chain must not overflow the stack).
function stronglyConnected(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { file: string; next: number }[] = [{ file: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const targets = graph.get(frame.file) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ file: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.file, Math.min(low.get(frame.file)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
      if (low.get(frame.file) === index.get(frame.file)) {
        const group: string[] = [];
        let file: string;
        do {
          file = stack.pop()!;
          onStack.delete(file);
          group.push(file);
        } while (file !== frame.file);
        groups.push(group);
      }
    }
  }
  return groups;
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}
