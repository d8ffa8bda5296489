import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http-error.js";

/** What the checks compare against; `port` is known only once the server listens. */
export interface Guard {
  readonly token: string;
  /** The --host given: 127.0.0.1 by default. */
  readonly host: string;
  port: number;
}

/** Sent with every response: no inline script, no framing, no sniffing, no referrer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** Whether `host` is this machine only: then reads need no token (any local user may read). */
export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

// Listening on every address of the machine.
function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** The Host headers this server answers to: its own address and port, and localhost on loopback. */
export function allowedHosts(guard: Guard): Set<string> {
  const port = guard.port;
  const name =
    guard.host.includes(":") && !guard.host.startsWith("[") ? `[${guard.host}]` : guard.host;
  const hosts = new Set([`${name}:${port}`.toLowerCase()]);
  if (isLoopback(guard.host) || isWildcard(guard.host))
    for (const loop of ["127.0.0.1", "localhost", "[::1]"]) hosts.add(`${loop}:${port}`);
  // Browsers leave the default port out of Host and Origin.
  if (port === 80) for (const known of [...hosts]) hosts.add(known.replace(/:80$/, ""));
  return hosts;
}

/**
 * The checks of every request, before any route: the Host header must name this server (a
 * DNS-rebinding page sends its own name), an Origin, when sent, must be this server's (a
 * cross-site form or fetch), and the token must come with every POST, and with every API read
 * when the server listens beyond loopback. A missing token is 401, a wrong one 403.
 */
export function guardRequests(guard: Guard): MiddlewareHandler {
  return async (c, next) => {
    const hosts = allowedHosts(guard);
    const host = (c.req.header("host") ?? "").toLowerCase();
    if (!isOwnHost(guard, hosts, host))
      throw new HttpError(403, `host "${host}" is not this server`);
    const origin = c.req.header("origin");
    if (origin !== undefined && !isOwnHost(guard, hosts, originHost(origin)))
      throw new HttpError(403, `origin "${origin}" is not this server`);
    const isApi = c.req.path.startsWith("/api/");
    if (c.req.method === "POST" || (isApi && !isLoopback(guard.host))) {
      const given =
        c.req.header("x-flow-token") ?? (c.req.method === "GET" ? c.req.query("token") : undefined);
      if (given === undefined || given === "")
        throw new HttpError(401, "missing token (X-Flow-Token)");
      if (!sameToken(given, guard.token)) throw new HttpError(403, "wrong token");
    }
    await next();
  };
}

/**
 * Whether a Host (or an Origin's host) names this server. Listening on every address (0.0.0.0,
 * ::), the server is reached by any of the machine's addresses: an IP address with its port is
 * accepted then, a name never (DNS rebinding needs a name; give it with --host to allow it).
 */
function isOwnHost(guard: Guard, hosts: ReadonlySet<string>, host: string): boolean {
  if (hosts.has(host)) return true;
  if (!isWildcard(guard.host)) return false;
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]):(\d+)$/.exec(host);
  return match !== null && Number(match[2]) === guard.port;
}

// The host:port of an `http://host:port` origin; "" for anything else (never allowed).
function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:") return "";
    return url.host.toLowerCase();
  } catch {
    return "";
  }
}

// Constant time over the token's length, so a wrong token says nothing about the right one.
function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
