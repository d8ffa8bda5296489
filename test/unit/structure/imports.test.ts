import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildImportGraph,
  describeCycle,
  findImportCycles,
  importSpecifiers,
  readSourceFiles,
  type ImportGraph,
} from "./import-graph.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAX_LINES = 300;

// Which src folders each layer may not import (STYLE.md, docs/adr/0001-pure-core.md); the same
// rules as eslint.config.js, here with dynamic imports too.
// src/worker is a surface like src/cli and src/ui (ADR 0005): nothing below it imports it, and
// it imports no other surface.
const FORBIDDEN: readonly { layer: string; forbidden: readonly string[] }[] = [
  { layer: "src/ops/", forbidden: ["src/cli/", "src/worker/"] },
  { layer: "src/scheduler/", forbidden: ["src/cli/", "src/worker/"] },
  { layer: "src/worker/", forbidden: ["src/cli/", "src/ui/"] },
  { layer: "src/ui/", forbidden: ["src/cli/", "src/worker/"] },
  ...["store", "executors", "runner", "loader", "api", "connections", "tasks", "queue"].map(
    (folder) => ({
      layer: `src/${folder}/`,
      forbidden: ["src/cli/", "src/ops/", "src/worker/"],
    }),
  ),
];

const files = readSourceFiles(ROOT, "src");
const graph = buildImportGraph(files);

describe("src/ imports", () => {
  it("finds the source files", () => {
    expect(files.has("src/cli/main.ts")).toBe(true);
    expect(graph.get("src/cli/main.ts")).toContain("src/errors.ts");
  });

  it("form no cycle", () => {
    const cycles = findImportCycles(graph).map(describeCycle);
    expect(cycles, `import cycles:\n${cycles.join("\n")}`).toEqual([]);
  });

  it("keep src/core pure: it imports only src/core", () => {
    const outside = edges(graph).filter(
      ([from, to]) => from.startsWith("src/core/") && !to.startsWith("src/core/"),
    );
    expect(outside.map(([from, to]) => `${from} -> ${to}`)).toEqual([]);
  });

  it("point inward: no layer imports one outside it", () => {
    const backward = edges(graph).filter(([from, to]) =>
      FORBIDDEN.some(
        ({ layer, forbidden }) =>
          from.startsWith(layer) && forbidden.some((folder) => to.startsWith(folder)),
      ),
    );
    expect(backward.map(([from, to]) => `${from} -> ${to}`)).toEqual([]);
  });
});

// Start-up of every command is measured (bench W7, W11): these load only where they are needed,
// through import() (or, for cron-parser and luxon, src/core/cron-parser-module.ts); a static
// import may bring their types only.
const LAZY_LIBRARIES: Readonly<Record<string, string>> = {
  bullmq: "only the queue executor and workers use it",
  ioredis: "only the queue executor and workers use it",
  "cron-parser": "only scheduled DAGs need it; with luxon, a third of the binary",
  luxon: "only scheduled DAGs need it (through cron-parser)",
  "log-update": "only a terminal's live display needs it (~9 ms to load)",
  "proper-lockfile": "only taking or checking a lock needs it (~3 ms to load)",
};

describe("libraries loaded on first use", () => {
  it.each(Object.entries(LAZY_LIBRARIES))(
    "%s is imported statically as types only (%s)",
    (name) => {
      const pattern = new RegExp(
        `^(?:import|export) (?!type )[^;]*from "${name}";|^import "${name}";`,
        "gm",
      );
      const statics = [...files].flatMap(([path, text]) =>
        [...text.matchAll(pattern)].map((match) => `${path}: ${match[0]}`),
      );
      expect(statics).toEqual([]);
    },
  );
});

describe("src/ files", () => {
  it(`are at most ${MAX_LINES} lines each`, () => {
    const long = [...files]
      .map(([path, text]) => ({ path, lines: lineCount(text) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ path, lines }) => `${path}: ${lines} lines`);
    expect(long, `files over ${MAX_LINES} lines:\n${long.join("\n")}`).toEqual([]);
  });
});

describe("the import graph helpers", () => {
  it("see every kind of import, and nothing in comments or strings", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      "import {",
      "  c,",
      '} from "./c.js";',
      'import "./d.js";',
      'export { e } from "./e.js";',
      'export type * from "./f.js";',
      'const g = await import("./g.js");',
      'type H = typeof import("./h.js");',
      '// import { x } from "./comment.js";',
      "const s = \"import { y } from './string.js'\";",
    ].join("\n");
    expect(importSpecifiers(text)).toEqual([
      "./a.js",
      "./b.js",
      "./c.js",
      "./d.js",
      "./e.js",
      "./f.js",
      "./g.js",
      "./h.js",
    ]);
  });

  it("resolve .js, bare and folder specifiers to the .ts files, and skip packages", () => {
    const sources = new Map([
      ["src/cli/main.ts", 'import "../errors.js"; import "./x"; import "../core"; import "chalk";'],
      ["src/cli/x.ts", ""],
      ["src/core/index.ts", ""],
      ["src/errors.ts", 'import("./core/index.js");'],
    ]);
    expect(buildImportGraph(sources)).toEqual(
      new Map([
        ["src/cli/main.ts", ["src/errors.ts", "src/cli/x.ts", "src/core/index.ts"]],
        ["src/cli/x.ts", []],
        ["src/core/index.ts", []],
        ["src/errors.ts", ["src/core/index.ts"]],
      ]),
    );
  });

  it.each<[string, Record<string, string[]>, string[]]>([
    ["no cycle", { a: ["b"], b: ["c"], c: [] }, []],
    ["two files", { a: ["b"], b: ["a"] }, ["a -> b -> a"]],
    ["a file importing itself", { a: ["a"] }, ["a -> a"]],
    ["three files, from the first name", { c: ["a"], a: ["b"], b: ["c"] }, ["a -> b -> c -> a"]],
    [
      "the shortest way round, and the rest of the circle",
      { a: ["b", "d"], b: ["c"], c: ["a"], d: ["a"] },
      ["a -> d -> a (the circle also takes in b, c)"],
    ],
    [
      "two separate circles",
      { a: ["b"], b: ["a"], x: ["y", "a"], y: ["x"] },
      ["a -> b -> a", "x -> y -> x"],
    ],
  ])("find cycles: %s", (_name, edgesOf, expected) => {
    const literal: ImportGraph = new Map(Object.entries(edgesOf));
    expect(findImportCycles(literal).map(describeCycle)).toEqual(expected);
  });
});

function edges(importGraph: ImportGraph): [string, string][] {
  return [...importGraph].flatMap(([from, targets]) =>
    targets.map((to): [string, string] => [from, to]),
  );
}

// Lines as `wc -l` counts them in a file that ends with a newline.
function lineCount(text: string): number {
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}
