// Times flow's loader in-process: loadPipelines (compile or take from the cache, import every
// module, build and validate its DAGs), as flow's commands do before anything else.
// Usage: node bench/probes/load-pipelines.mjs <pipelines dir> [<cache dir> | off]
// Prints {loadMs, dags, tasks, errors} as JSON.
import { resolve } from "node:path";

const dist = new URL("../../dist/loader/", import.meta.url);
const { loadPipelines } = await import(new URL("load-pipelines.js", dist).href);

const dir = resolve(process.argv[2] ?? "pipelines");
const cache = process.argv[3] ?? "off";
const started = performance.now();
const set = await loadPipelines(dir, {
  cwd: process.cwd(),
  cacheDir: cache === "off" ? undefined : resolve(cache),
});
const loadMs = performance.now() - started;
let tasks = 0;
for (const loaded of set.dags.values()) tasks += loaded.dag.tasks.size;
console.log(JSON.stringify({ loadMs, dags: set.dags.size, tasks, errors: set.errors.length }));
