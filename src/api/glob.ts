import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, sep } from "node:path";

/**
 * The files matching an absolute glob `pattern`, sorted: `*` is any run of characters within a
 * name, `?` one character, `**` any number of folders (none included). Names starting with a
 * dot match only a pattern part that starts with one, as in a shell. Node 20 has no fs.glob, and
 * a sensor needs nothing more; folders that vanish while it looks are skipped.
 */
export async function findFiles(pattern: string): Promise<string[]> {
  if (!isAbsolute(pattern)) throw new Error(`bug: glob "${pattern}" is not absolute`);
  const parts = pattern.split(/[\\/]+/).filter((part) => part !== "");
  let fixed = 0;
  while (fixed < parts.length && !isWild(parts[fixed]!)) fixed++;
  const root = pattern.startsWith(sep) || pattern.startsWith("/") ? sep : "";
  const base = root + parts.slice(0, fixed).join(sep);
  const matchers = parts.slice(fixed).map((part) => (part === "**" ? GLOBSTAR : toRegExp(part)));
  const found: string[] = [];
  if (matchers.length === 0) {
    if ((await kindOf(base)) === "file") found.push(base);
    return found;
  }
  await walk(base, matchers, found);
  return [...new Set(found)].sort();
}

const GLOBSTAR = "**";
type Matcher = RegExp | typeof GLOBSTAR;

function isWild(part: string): boolean {
  return /[*?]/.test(part);
}

// A pattern part as an anchored RegExp: `*` -> any characters but a separator, `?` -> one.
function toRegExp(part: string): RegExp {
  let source = "";
  for (const char of part) {
    if (char === "*") source += "[^/\\\\]*";
    else if (char === "?") source += "[^/\\\\]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

async function walk(dir: string, matchers: readonly Matcher[], found: string[]): Promise<void> {
  const [first, ...rest] = matchers;
  if (first === undefined) return;
  if (first === GLOBSTAR) {
    // `**` matching no folder, then one more folder level with `**` still to match.
    await walk(dir, rest, found);
    for (const entry of await entries(dir))
      if (entry.isDirectory() && !entry.name.startsWith("."))
        await walk(join(dir, entry.name), matchers, found);
    return;
  }
  for (const entry of await entries(dir)) {
    if (entry.name.startsWith(".") && !first.source.startsWith("^\\.")) continue;
    if (!first.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (rest.length === 0) {
      if (entry.isFile()) found.push(path);
    } else if (entry.isDirectory()) await walk(path, rest, found);
  }
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function kindOf(path: string): Promise<"file" | "other" | "none"> {
  try {
    return (await stat(path)).isFile() ? "file" : "other";
  } catch {
    return "none";
  }
}
