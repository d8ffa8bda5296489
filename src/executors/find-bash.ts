import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

let found: string | undefined;

/** Path of bash (what bash tasks are written for), or /bin/sh when the machine has none. Cached. */
export function findBash(): string {
  return (found ??=
    [
      "/bin/bash",
      ...(process.env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, "bash")),
    ].find(isExecutable) ?? "/bin/sh");
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
