/**
 * Module resolve hook, registered with node:module's register(): maps the bare specifier "flow"
 * to the authoring API of the flow that is running. A pipeline then imports "flow" the same way
 * inside this repo, in a user's project that installed flow, and in a temp dir with no
 * node_modules at all, and always gets the same module instance as the runner.
 */
interface InitializeData {
  apiUrl: string;
}

interface Resolved {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

let apiUrl = "";

export function initialize(data: InitializeData): void {
  apiUrl = data.apiUrl;
}

/**
 * Pipelines are ES modules. Outside a package.json with `"type": "module"` (a temp dir, a user's
 * project that never set it) Node would treat a `.ts` or `.js` file as CommonJS and then refuse
 * its `import` of flow's ESM API; so such files are loaded as ES modules, except inside
 * node_modules (real CommonJS packages) and `.cts`/`.cjs` files, which stay CommonJS.
 */
export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: NextResolve,
): Promise<Resolved> {
  if (specifier === "flow") return { url: apiUrl, shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  if (
    resolved.format === "commonjs" &&
    resolved.url.startsWith("file:") &&
    /\.(tsx?|jsx?)$/.test(new URL(resolved.url).pathname) &&
    !resolved.url.includes("/node_modules/")
  ) {
    return { ...resolved, format: "module" };
  }
  return resolved;
}
