import { FailTask } from "../api/signals.js";
import { secretsOf, type Connection } from "../core/connection.js";
import { ConnectionError } from "./connection-error.js";
import { lookupConnection, type ConnectionSource } from "./connection-source.js";
import type { TrySecrets } from "./try-secrets.js";

/**
 * `ctx.connection` for one try (or one callback): looks the id up, and registers the
 * connection's secrets with the try's mask before the caller can print anything. A connection
 * that cannot be used fails the try without retry, with a one-line reason.
 */
export function connectionsForTry(
  source: ConnectionSource,
  secrets: TrySecrets,
): (id: string) => Connection {
  return (id) => {
    try {
      const { connection } = lookupConnection(source, id);
      secrets.add(secretsOf(connection));
      return connection;
    } catch (error) {
      if (error instanceof ConnectionError) throw new FailTask(error.message);
      throw error;
    }
  };
}
