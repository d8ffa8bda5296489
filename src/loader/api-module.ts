/**
 * The names a pipeline imports the API by: "flow" (what the examples write), and the package's
 * own name, which is what an editor and TypeScript resolve in a project that installed flow.
 */
export const API_SPECIFIERS: readonly string[] = ["flow", "flowdag"];

/**
 * What pipelines get for `import ... from "flow"`: the URL of the API module of the flow that
 * runs them, so that a pipeline and the runner share one module instance. Next to dist's own
 * files it is dist/api/index.js; the bundled binary (src/cli/bundle-entry.ts) sets its own URL,
 * since the bundle carries the API too.
 */
let apiUrl = new URL("../api/index.js", import.meta.url).href;

export function apiModuleUrl(): string {
  return apiUrl;
}

export function setApiModuleUrl(url: string): void {
  apiUrl = url;
}
