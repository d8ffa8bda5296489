import { describeValue } from "./describe-value.js";
import { isMaskable } from "./mask-secrets.js";

/**
 * A connection as Airflow models one: `scheme://login:password@host:port/schema?extra`. Parsed
 * from a URI the user keeps out of the pipeline (FLOW_CONN_<ID>, or the state dir's
 * connections.json); tasks name it by id.
 */
export interface Connection {
  readonly id: string;
  /** The URI's scheme, lower case (`https`, `smtps`): Airflow's conn_type. */
  readonly scheme: string;
  readonly host: string;
  /** Undefined when the URI gives none (the scheme's default port then applies). */
  readonly port: number | undefined;
  readonly login: string | undefined;
  readonly password: string | undefined;
  /** The path without its leading slash (Airflow's `schema`); for http, the base path. */
  readonly schema: string;
  /** The query parameters (Airflow's `extra`), percent-decoded. */
  readonly extra: Readonly<Record<string, string>>;
}

export type ParsedConnection =
  | { readonly ok: true; readonly connection: Connection }
  | { readonly ok: false; readonly problem: string };

const FORM = "scheme://login:password@host:port/path?key=value";

/**
 * Parses a connection URI (percent-decoding every part, as Airflow's `Connection(uri=...)` does).
 * A problem never quotes the URI: it may hold a password.
 */
export function parseConnectionUri(id: string, uri: unknown): ParsedConnection {
  const where = `connection "${id}"`;
  if (typeof uri !== "string" || uri.trim() === "")
    return { ok: false, problem: `${where}: the URI must be a string, got ${describeValue(uri)}` };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(uri)?.[1];
  if (scheme === undefined)
    return { ok: false, problem: `${where}: not a URI of the form ${FORM} (no "scheme://")` };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, problem: `${where}: not a URI of the form ${FORM}` };
  }
  const decode = (text: string): string | undefined => {
    if (text === "") return undefined;
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const extra: Record<string, string> = {};
  for (const [key, value] of url.searchParams) extra[key] = value;
  const host = decode(url.hostname) ?? "";
  if (host === "" && !["file", "sqlite"].includes(scheme.toLowerCase()))
    return { ok: false, problem: `${where}: the URI has no host (${FORM})` };
  return {
    ok: true,
    connection: {
      id,
      scheme: scheme.toLowerCase(),
      host,
      port: url.port === "" ? undefined : Number(url.port),
      login: decode(url.username),
      password: decode(url.password),
      schema: decode(url.pathname.replace(/^\//, "")) ?? "",
      extra,
    },
  };
}

/** The variable a connection is read from: `FLOW_CONN_` and the id upper-cased (AIRFLOW_CONN_). */
export function connectionEnvName(id: string): string {
  return `FLOW_CONN_${id.toUpperCase()}`;
}

// Extra keys whose values are secrets, as Airflow's secrets masker names sensitive fields.
const SECRET_KEY = /token|secret|passw|passphrase|api_?key|private_key|authorization|credential/i;

/**
 * Every secret of a connection, to be masked wherever text about its use is written: the
 * password, secret-looking extra values, and their percent-encoded forms (as they appear in a URI).
 * A secret shorter than MIN_MASKED_SECRET_LENGTH is left out, and so is its encoded form.
 */
export function secretsOf(connection: Connection): string[] {
  const secrets: string[] = [];
  if (connection.password && isMaskable(connection.password)) secrets.push(connection.password);
  for (const [key, value] of Object.entries(connection.extra))
    if (SECRET_KEY.test(key) && isMaskable(value)) secrets.push(value);
  for (const secret of [...secrets]) {
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) secrets.push(encoded);
  }
  return secrets;
}

/**
 * The base URL of an http or https connection: scheme, host, port and path, no credentials
 * (they travel as a Basic Authorization header instead).
 */
export function connectionBaseUrl(connection: Connection): string {
  const host = connection.host.includes(":") ? `[${connection.host}]` : connection.host;
  const port = connection.port === undefined ? "" : `:${connection.port}`;
  const path = connection.schema === "" ? "" : `/${connection.schema}`;
  return `${connection.scheme}://${host}${port}${path}`;
}
