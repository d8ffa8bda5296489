import { stripUrlCredentials } from "../../core/mask-secrets.js";

/**
 * Why an HTTP request failed, in one line that names the kind of failure first: `connection
 * refused: GET http://...`, `unexpected status 503 Service Unavailable: ...`. Its stack is the
 * message alone: every frame would be flow's own, and the log shows what the reason says.
 */
export class HttpError extends Error {
  constructor(
    message: string,
    /** refused, dns, reset, timeout, aborted, network, status, check, file */
    readonly kind: string,
  ) {
    // Its text may quote a URL (fetch's own errors do, whole): never with its credentials.
    const text = stripUrlCredentials(message);
    super(text);
    this.name = "HttpError";
    this.stack = `HttpError: ${text}`;
  }
}

// undici puts the socket's error code on `cause` (sometimes on the cause's cause).
function codeOf(error: unknown): string | undefined {
  for (let at: unknown = error, depth = 0; at && depth < 4; depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === "string") return code;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What a rejected fetch means, most specific first (execa's message.js order). */
export function describeFetchFailure(
  error: unknown,
  signal: AbortSignal,
  request: string,
  host: string,
): HttpError {
  if (signal.aborted) {
    const reason = signal.reason as { message?: unknown } | undefined;
    const text = typeof reason?.message === "string" ? reason.message : "aborted";
    return new HttpError(`${text}: ${request}`, /timed out/.test(text) ? "timeout" : "aborted");
  }
  const code = codeOf(error);
  if (code === "ECONNREFUSED") return new HttpError(`connection refused: ${request}`, "refused");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME")
    return new HttpError(`DNS lookup failed for "${host}" (${code}): ${request}`, "dns");
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE")
    return new HttpError(`connection reset by the server: ${request}`, "reset");
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT")
    return new HttpError(`connect timed out: ${request}`, "timeout");
  const message = error instanceof Error ? (error.cause as Error | undefined)?.message : undefined;
  const detail = message ?? (error instanceof Error ? error.message : String(error));
  return new HttpError(`request failed (${code ?? detail}): ${request}`, "network");
}
