import { connectionBaseUrl, secretsOf } from "../core/connection.js";
import { maskSecrets, redactUrl } from "../core/mask-secrets.js";
import { UsageError } from "../errors.js";
import {
  listConnections,
  lookupConnection,
  type ConnectionSource,
} from "../connections/connection-source.js";
import type { Workspace } from "./workspace.js";

/** A connection as `flow connections list` shows it: everything but its secrets. */
export interface ConnectionRow {
  readonly id: string;
  readonly scheme: string;
  readonly host: string;
  readonly port: number | null;
  readonly login: string | null;
  /** Whether it has a password (never the password). */
  readonly password: boolean;
  /** `env FLOW_CONN_<ID>` or `connections.json`. */
  readonly from: string;
}

function sourceOf(workspace: Workspace): ConnectionSource {
  return { env: workspace.env, stateDir: workspace.stateDir };
}

/** Every connection of the workspace, sorted by id. Throws ConnectionError on a bad one. */
export function listConnectionRows(workspace: Workspace): ConnectionRow[] {
  return listConnections(sourceOf(workspace)).map(({ connection, from }) => ({
    id: connection.id,
    scheme: connection.scheme,
    host: connection.host,
    port: connection.port ?? null,
    login: connection.login ?? null,
    password: connection.password !== undefined,
    from,
  }));
}

/** What `flow connections test` found: ok, and one line saying what answered (or did not). */
export interface ConnectionTestResult {
  readonly ok: boolean;
  readonly detail: string;
}

const TEST_TIMEOUT_MS = 10_000;

/**
 * Tries a connection: http(s) gets its base URL with the headers an http task sends (its extra,
 * its login as Basic auth; ok on any status below 500, the server is there and answering, but
 * 401 and 403, its credentials refused), smtp(s) makes nodemailer's handshake (`verify()`:
 * connect, TLS, login).
 * The detail never holds the connection's secrets.
 */
export async function testConnection(
  workspace: Workspace,
  id: string,
): Promise<ConnectionTestResult> {
  const { connection } = lookupConnection(sourceOf(workspace), id);
  const mask = (text: string): string => maskSecrets(text, secretsOf(connection));
  const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
  if (connection.scheme === "http" || connection.scheme === "https") {
    const url = new URL(connectionBaseUrl(connection));
    const shown = `GET ${redactUrl(url)}`;
    const { describeFetchFailure } = await import("../tasks/http/http-error.js");
    const { connectionHeaders } = await import("../tasks/http/build-request.js");
    try {
      // With the credentials and headers an http task sends, so that they are tested too.
      const headers = connectionHeaders(connection);
      const response = await fetch(url, { signal, redirect: "follow", headers });
      await response.arrayBuffer();
      const refused = response.status === 401 || response.status === 403;
      const ok = response.status < 500 && !refused;
      const why = refused ? ": the server refused the connection's credentials" : "";
      return { ok, detail: mask(`${shown} -> ${response.status} ${response.statusText}${why}`) };
    } catch (error) {
      const failure = describeFetchFailure(error, signal, shown, url.hostname);
      return { ok: false, detail: mask(failure.message) };
    }
  }
  if (connection.scheme === "smtp" || connection.scheme === "smtps") {
    const { smtpTransport } = await import("../tasks/email/smtp-transport.js");
    const transport = await smtpTransport(connection);
    const where = `${connection.scheme}://${connection.host}${connection.port ? `:${connection.port}` : ""}`;
    try {
      await transport.verify();
      return { ok: true, detail: `${where}: handshake ok` };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, detail: mask(`${where}: ${code ? `${String(code)}: ` : ""}${message}`) };
    } finally {
      transport.close();
    }
  }
  throw new UsageError(
    `connection "${id}" is ${connection.scheme}://: flow tests http, https, smtp and smtps connections`,
  );
}
