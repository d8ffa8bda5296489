import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";

/** Every file under `dir`, as sorted paths relative to it; [] when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else found.push(relative(dir, full));
    }
  };
  await walk(dir);
  return found.sort();
}

/** True when `text` holds an ANSI escape sequence (colour, dim...). */
export function hasAnsi(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u001b\[[0-9;]*m/.test(text);
}
