import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConnectionError } from "./connection-error.js";

/** The optional file of connections in the state dir: `{ "<id>": "<uri>" }`, mode 0600. */
export function connectionsFilePath(stateDir: string): string {
  return join(stateDir, "connections.json");
}

/**
 * The URIs of the state dir's connections file by id, or an empty record when there is no file.
 * Refused (ConnectionError) when group or others may read or write it, as ssh refuses a key file
 * others can read: the file holds passwords. Read on every lookup (a few hundred bytes), so a
 * long-running scheduler sees an edit at the next try.
 */
export function readConnectionsFile(stateDir: string): Record<string, string> {
  const path = connectionsFilePath(stateDir);
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConnectionError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, "0");
    throw new ConnectionError(
      `${path} is readable by group or others (mode ${octal}): refused, it holds passwords`,
      { hint: `chmod 600 ${path}` },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConnectionError(`${path} is not valid JSON: ${(error as Error).message}`, {
      hint: '{ "<connection id>": "scheme://login:password@host:port/path?key=value" }',
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ConnectionError(`${path} must hold an object of connection URIs by id`);
  return parsed as Record<string, string>;
}
