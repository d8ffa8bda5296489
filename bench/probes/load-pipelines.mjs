// Times flow's loader in-process: registering the TypeScript hooks, then loadPipelines (import
// every module, build and validate its DAGs), as flow's commands do before anything else.
// Usage: node bench/probes/load-pipelines.mjs <pipelines dir>
// Prints {registerMs, loadMs, dags, tasks, errors} as JSON.
import { resolve } from "node:path";

const dist = new URL("../../dist/loader/", import.meta.url);
const { registerLoaders } = await import(new URL("register-loaders.js", dist).href);
const { loadPipelines } = await import(new URL("load-pipelines.js", dist).href);

const dir = resolve(process.argv[2] ?? "pipelines");
const registerStarted = performance.now();
await registerLoaders();
const loadStarted = performance.now();
const set = await loadPipelines(dir, { cwd: process.cwd() });
const loadMs = performance.now() - loadStarted;
let tasks = 0;
for (const loaded of set.dags.values()) tasks += loaded.dag.tasks.size;
console.log(
  JSON.stringify({
    registerMs: loadStarted - registerStarted,
    loadMs,
    dags: set.dags.size,
    tasks,
    errors: set.errors.length,
  }),
);
