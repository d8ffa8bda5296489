import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Modules that do I/O, read the clock or talk to the terminal. src/core must stay pure
// (docs/adr/0001-pure-core.md), so it may import none of them.
const ioModules = [
  "fs",
  "node:fs",
  "fs/promises",
  "node:fs/promises",
  "child_process",
  "node:child_process",
  "process",
  "node:process",
  "os",
  "node:os",
  "net",
  "node:net",
  "http",
  "node:http",
  "worker_threads",
  "node:worker_threads",
  "readline",
  "node:readline",
  "lowdb",
  "lowdb/node",
  "execa",
  "chalk",
  "cli-table3",
  "log-update",
  "proper-lockfile",
  "write-file-atomic",
  "tsx",
  "tsx/esm/api",
  "commander",
];

// Dependencies point inward: surfaces (src/cli) -> operations (src/ops) -> scheduler, runner,
// executors, store, loader -> core (STYLE.md, docs/adr/0001-pure-core.md). A rule per layer forbids
// imports of the layers outside it; test/unit/structure/imports.test.ts checks the same with
// dynamic imports too, and finds import cycles.
function forbidImportsOf(folders, message) {
  return {
    "no-restricted-imports": [
      "error",
      {
        patterns: folders.map((folder) => ({
          regex: `^(\\.\\./)+${folder}(/|$)`,
          message,
        })),
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "state/", "coverage/", "bench/out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        Buffer: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        queueMicrotask: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ioModules.map((name) => ({
            name,
            message:
              "src/core is pure: no I/O, clock or terminal (see docs/adr/0001-pure-core.md).",
          })),
          patterns: [
            {
              group: ["../*", "!../core/*"],
              message: "src/core imports nothing outside src/core.",
            },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "src/core is pure: pass what you need as an argument." },
        { name: "console", message: "src/core is pure: return data, let the CLI print." },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "src/core never reads the clock: take `now` as an argument.",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "src/core never reads the clock: take `now` as an argument.",
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: "src/core makes no random values: take IDs as arguments.",
        },
      ],
    },
  },
  {
    files: ["src/ops/**/*.ts"],
    rules: forbidImportsOf(
      ["cli", "worker"],
      "src/ops returns data and throws FlowErrors for every surface: it never imports src/cli.",
    ),
  },
  {
    files: ["src/ui/**/*.ts", "src/ui/**/*.tsx"],
    rules: forbidImportsOf(
      ["cli", "worker"],
      "Surfaces share nothing but the layers below them: src/ui never imports src/cli (ADR 0005).",
    ),
  },
  {
    files: ["src/worker/**/*.ts"],
    rules: forbidImportsOf(
      ["cli", "ui"],
      "Surfaces share nothing but the layers below them: src/worker never imports src/cli (ADR 0005).",
    ),
  },
  {
    files: ["src/scheduler/**/*.ts"],
    rules: forbidImportsOf(
      ["cli", "worker"],
      "src/scheduler is called by the surfaces, never the reverse.",
    ),
  },
  {
    files: [
      "src/store/**/*.ts",
      "src/executors/**/*.ts",
      "src/runner/**/*.ts",
      "src/loader/**/*.ts",
      "src/api/**/*.ts",
      "src/connections/**/*.ts",
      "src/tasks/**/*.ts",
      "src/queue/**/*.ts",
    ],
    rules: forbidImportsOf(
      ["cli", "ops", "worker"],
      "Dependencies point inward: this layer is used by src/ops and src/cli, never the reverse.",
    ),
  },
);
