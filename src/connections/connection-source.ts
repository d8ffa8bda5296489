import { connectionEnvName, parseConnectionUri, type Connection } from "../core/connection.js";
import { ConnectionError } from "./connection-error.js";
import { connectionsFilePath, readConnectionsFile } from "./connections-file.js";

/**
 * Where a flow process finds connections: its environment (FLOW_CONN_<ID>) and, when it works
 * on a state dir, that dir's connections.json. Surfaces build it from their Workspace.
 */
export interface ConnectionSource {
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string | undefined;
}

/** A connection and where it came from: `env FLOW_CONN_API` or `connections.json`. */
export interface FoundConnection {
  readonly connection: Connection;
  readonly from: string;
}

const PREFIX = "FLOW_CONN_";

/**
 * The connection `id`. The environment wins over the file (as Airflow's environment variables
 * win over its metastore), so a deployment can override one connection without editing the file.
 */
export function lookupConnection(source: ConnectionSource, id: string): FoundConnection {
  const name = connectionEnvName(id);
  const fromEnv = source.env[name];
  if (fromEnv !== undefined && fromEnv !== "") return parsed(id, fromEnv, `env ${name}`);
  const file = source.stateDir === undefined ? {} : readConnectionsFile(source.stateDir);
  if (Object.hasOwn(file, id)) return parsed(id, file[id], "connections.json");
  const known = knownIds(source.env, file);
  const where =
    source.stateDir === undefined ? name : `${name} or ${connectionsFilePath(source.stateDir)}`;
  throw new ConnectionError(
    `unknown connection "${id}" (${known.length === 0 ? "no connection is defined" : `known: ${known.map((k) => `"${k}"`).join(", ")}`}): set ${where}`,
  );
}

/** Every connection defined, by id, the environment's over the file's, sorted by id. */
export function listConnections(source: ConnectionSource): FoundConnection[] {
  const file = source.stateDir === undefined ? {} : readConnectionsFile(source.stateDir);
  return knownIds(source.env, file).map((id) => lookupConnection(source, id));
}

function parsed(id: string, uri: unknown, from: string): FoundConnection {
  const result = parseConnectionUri(id, uri);
  if (!result.ok) throw new ConnectionError(`${result.problem} (from ${from})`);
  return { connection: result.connection, from };
}

// Ids as written in the file; from the environment, lower-cased (FLOW_CONN_SMTP_DEFAULT is
// smtp_default, the way Airflow names connections).
function knownIds(env: NodeJS.ProcessEnv, file: Record<string, unknown>): string[] {
  const ids = new Set(Object.keys(file));
  for (const [key, value] of Object.entries(env))
    if (key.startsWith(PREFIX) && key.length > PREFIX.length && value)
      if (![...ids].some((id) => connectionEnvName(id) === key))
        ids.add(key.slice(PREFIX.length).toLowerCase());
  return [...ids].sort();
}
