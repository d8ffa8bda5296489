import { register } from "node:module";

let registered: Promise<void> | undefined;

/**
 * Installs, once per process, the hooks that let `import()` load TypeScript pipelines (tsx) and
 * resolve "flow" to this flow's API. tsx is imported here, lazily, so that commands which never
 * load a pipeline do not pay for it at start-up.
 */
export function registerLoaders(): Promise<void> {
  registered ??= (async () => {
    const tsx = await import("tsx/esm/api");
    tsx.register();
    // Registered after tsx so that it runs first (hooks chain last-registered-first).
    register(new URL("./flow-resolve-hooks.js", import.meta.url), {
      data: { apiUrl: new URL("../api/index.js", import.meta.url).href },
    });
  })();
  return registered;
}
