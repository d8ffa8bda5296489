// Builds the native spawner (flow-spawner.c) into dist/native/ when a C compiler is present;
// run by `npm run build`. Never fails the build: without the binary, bash tasks go through the
// sh helper, as before (src/executors/bash-spawner.ts picks one at run time).
import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("flow-spawner.c", import.meta.url));
// Usage: node build.mjs [output folder] (default dist/native/ of this checkout).
const outDir = process.argv[2]
  ? `${process.argv[2].replace(/\/$/, "")}/`
  : fileURLToPath(new URL("../../../dist/native/", import.meta.url));
const output = `${outDir}flow-spawner-${process.platform}-${process.arch}`;
const compiler = process.env.CC || "cc";

mkdirSync(outDir, { recursive: true });
const temp = `${output}.${process.pid}.tmp`;
const result = spawnSync(compiler, ["-O2", "-o", temp, source], { encoding: "utf8" });
if (result.status === 0) {
  renameSync(temp, output);
} else {
  rmSync(temp, { force: true });
  rmSync(output, { force: true });
  const why = result.error ? result.error.message : result.stderr.trim().split("\n")[0];
  process.stderr.write(`flow: native spawner not built (${why}); bash tasks use the sh helper\n`);
}
