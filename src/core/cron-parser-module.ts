import { createRequire } from "node:module";
import type { CronExpressionParser } from "cron-parser";

// cron-parser, with luxon under it, is a third of the binary's code and only scheduled DAGs use
// it, so it loads on first use instead of with every command (issue 14, bench W11). A static
// import would put it back on every start; test/unit/structure/imports.test.ts refuses one.
// Loading a library is not I/O in ADR 0001's sense: this is a static import, deferred.
//
// The bundled binary finds it as one CommonJS file beside it (dist/bundle/cron-parser.cjs, built
// by `npm run bundle`: one file to compile, not cron-parser's 17 and luxon); tsc's dist/ and
// the sources (the tests) load the package itself.
const BESIDE_THE_BUNDLE = "./cron-parser.cjs";

let parser: typeof CronExpressionParser | undefined;

/** cron-parser's `CronExpressionParser`, loaded by the first call. */
export function cronExpressionParser(): typeof CronExpressionParser {
  parser ??= loadCronParser().CronExpressionParser;
  return parser;
}

function loadCronParser(): typeof import("cron-parser") {
  const require = createRequire(import.meta.url);
  try {
    return require(BESIDE_THE_BUNDLE) as typeof import("cron-parser");
  } catch (error) {
    if (!isNotFound(error, BESIDE_THE_BUNDLE)) throw error;
  }
  return require("cron-parser") as typeof import("cron-parser");
}

// Not there at all (not a file it imports that is missing).
function isNotFound(error: unknown, specifier: string): boolean {
  return (
    error instanceof Error &&
    (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" &&
    error.message.includes(`'${specifier}'`)
  );
}
