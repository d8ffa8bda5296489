import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { extname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Loader, Message, Plugin } from "esbuild";
import { API_SPECIFIERS } from "./api-module.js";

const API_FILTER = new RegExp(`^(${API_SPECIFIERS.join("|")})$`);

/** One pipeline module turned into a single ES module that Node imports without hooks. */
export interface BundledPipeline {
  /** ES module source, with an inline source map back to the pipeline's own files. */
  readonly code: string;
  /** Every local file bundled in (the pipeline and its helpers), with a hash of its content. */
  readonly inputs: readonly BundleInput[];
}

export interface BundleInput {
  readonly path: string;
  readonly hash: string;
}

/** The pipeline does not compile: a syntax error, an import that resolves to nothing... */
export class BundleError extends Error {
  constructor(
    message: string,
    /** The first problem's file, relative to the working directory, and its 1-based line. */
    readonly location?: { readonly file: string; readonly line: number; readonly column: number },
  ) {
    super(message);
  }
}

const CODE_LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};
const DATA_LOADERS: Record<string, Loader> = { ".json": "json", ".txt": "text" };

/**
 * Compiles a pipeline module and the local files it imports into one ES module with esbuild:
 * TypeScript stripped, "flow" pointed at `apiUrl` (the running flow's API, so the pipeline and
 * the runner share one module instance), and every package import pointed at the file Node
 * would load for it, so the result can be imported from any folder. `import.meta.url`,
 * `.dirname` and `.filename` keep meaning the original file, as they did before bundling
 * (the approach Vite takes for its config files).
 */
export async function bundlePipeline(
  file: string,
  options: { readonly apiUrl: string; readonly cwd: string },
): Promise<BundledPipeline> {
  const esbuild = await import("esbuild");
  const hashes = new Map<string, string>();
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: options.cwd,
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "external",
      sourcesContent: false,
      outfile: file.replace(/\.[^./]+$/, "") + ".flow-bundle.mjs",
      metafile: true,
      logLevel: "silent",
      plugins: [resolveFlowAndPackages(options.apiUrl), loadKeepingImportMeta(hashes)],
    });
    const js = result.outputFiles.find((output) => output.path.endsWith(".mjs"));
    const map = result.outputFiles.find((output) => output.path.endsWith(".map"));
    if (!js) throw new BundleError(`${file}: esbuild produced no output`);
    const inputs = await Promise.all(
      Object.keys(result.metafile.inputs).map(async (input) => {
        const path = resolve(options.cwd, input);
        return { path, hash: hashes.get(path) ?? hashOf(await readFile(path)) };
      }),
    );
    return { code: withInlineMap(js.text, map?.text, js.path), inputs };
  } catch (error) {
    throw toBundleError(error, options.cwd);
  }
}

export function hashOf(content: Buffer | string): string {
  return createHash("sha1").update(content).digest("hex");
}

function resolveFlowAndPackages(apiUrl: string): Plugin {
  const packages = new Map<string, Promise<boolean>>();
  return {
    name: "flow-resolve",
    setup(build) {
      build.onResolve({ filter: API_FILTER }, () => ({ path: apiUrl, external: true }));
      // Bare specifiers of packages: external, as the absolute URL of the file Node would load
      // from the importer's folder (esbuild's resolver, with Node's "import" conditions).
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === "flow-resolving" || isAbsolute(args.path)) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const found = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: "flow-resolving",
        });
        if (found.errors.length > 0) return { errors: found.errors };
        if (found.external || !/[/\\]node_modules[/\\]/.test(found.path)) return found;
        // A package built on flow (a team's shared tasks) is bundled too, so that its own
        // "flow" imports reach the same API instance as the pipeline's.
        if (await dependsOnFlow(found.path, packages)) return found;
        return { path: pathToFileURL(found.path).href, external: true };
      });
    },
  };
}

// Whether the package holding `file` lists flow (by either name) among its dependencies.
function dependsOnFlow(file: string, seen: Map<string, Promise<boolean>>): Promise<boolean> {
  const root = /^(.*[/\\]node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+)/.exec(file)?.[1];
  if (!root) return Promise.resolve(false);
  let answer = seen.get(root);
  if (!answer) {
    answer = readFile(join(root, "package.json"), "utf8")
      .then((text) => {
        const manifest = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
        return ["dependencies", "peerDependencies", "optionalDependencies"].some((field) =>
          API_SPECIFIERS.some((name) => manifest[field]?.[name] !== undefined),
        );
      })
      .catch(() => false);
    seen.set(root, answer);
  }
  return answer;
}

function loadKeepingImportMeta(hashes: Map<string, string>): Plugin {
  return {
    name: "flow-import-meta",
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: "file" }, async (args) => {
        const extension = extname(args.path);
        const loader = CODE_LOADERS[extension] ?? DATA_LOADERS[extension];
        if (!loader) return undefined;
        const content = await readFile(args.path);
        hashes.set(args.path, hashOf(content));
        const text = content.toString("utf8");
        if (!CODE_LOADERS[extension] || !text.includes("import.meta")) {
          return { contents: text, loader };
        }
        return { contents: injectImportMeta(text, args.path), loader };
      });
    },
  };
}

const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;

// The constants go on the file's first line, so every other line keeps its number.
function injectImportMeta(text: string, path: string): string {
  const values = { url: pathToFileURL(path).href, dirname: resolve(path, ".."), filename: path };
  const names = { url: "", dirname: "", filename: "" };
  const replaced = text.replace(IMPORT_META, (_, key: keyof typeof values) => {
    names[key] = `__flow_import_meta_${key}`;
    return names[key];
  });
  const declarations = (Object.keys(names) as (keyof typeof values)[])
    .filter((key) => names[key] !== "")
    .map((key) => `const ${names[key]} = ${JSON.stringify(values[key])};`)
    .join(" ");
  const shebang = /^#!.*/.exec(replaced)?.[0];
  return shebang
    ? `${shebang}\n${declarations} ${replaced.slice(shebang.length + 1)}`
    : `${declarations} ${replaced}`;
}

// Source map sources become absolute file URLs, so stack traces name the pipeline's own files
// wherever the bundle is stored (or when it is imported from a data: URL).
function withInlineMap(code: string, mapText: string | undefined, outPath: string): string {
  const body = code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n");
  if (!mapText) return body;
  const map = JSON.parse(mapText) as { sources: string[] };
  map.sources = map.sources.map((source) => pathToFileURL(resolve(outPath, "..", source)).href);
  const encoded = Buffer.from(JSON.stringify(map)).toString("base64");
  return `${body}//# sourceMappingURL=data:application/json;base64,${encoded}\n`;
}

function toBundleError(error: unknown, cwd: string): BundleError {
  if (error instanceof BundleError) return error;
  const messages = (error as { errors?: Message[] }).errors;
  const first = messages?.[0];
  if (!first) return new BundleError(error instanceof Error ? error.message : String(error));
  const where = first.location;
  if (!where) return new BundleError(first.text);
  const file = relative(cwd, resolve(cwd, where.file)) || where.file;
  return new BundleError(first.text, { file, line: where.line, column: where.column + 1 });
}
