// The entry point of the bundled binary (dist/bundle/flow.js, built by `npm run build` with
// esbuild): the CLI and the authoring API in one module, which is what pipelines then import
// as "flow". One file instead of some 150 modules and their packages is most of flow's
// start-up (bench W7).
import { setApiModuleUrl } from "../loader/api-module.js";

setApiModuleUrl(import.meta.url);

export { main } from "./main.js";
export * from "../api/index.js";
