import { formatBytes } from "../../core/format-bytes.js";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { HttpResponse, HttpSettings } from "../../api/http-types.js";
import { redactUrl } from "../../core/mask-secrets.js";
import { buildRequest, type HttpContext, type HttpRequest } from "./build-request.js";
import { describeFetchFailure, HttpError } from "./http-error.js";

export type { HttpContext } from "./build-request.js";

/**
 * Sends the request an http task's settings describe (Node's own fetch, redirects followed,
 * aborted with `ctx.signal`, so by the task's timeout) and reads the whole body. Logs one line:
 * method, URL without credentials or secret query values, status, duration, size. Throws an
 * HttpError when no response came (refused, DNS, reset, timeout); any status is returned: judge
 * it with `responseProblem`. An HTTP sensor pokes with this.
 */
export async function performHttp(
  settings: HttpSettings,
  ctx: HttpContext,
): Promise<{ request: HttpRequest; response: HttpResponse }> {
  const request = buildRequest(settings, ctx);
  const shown = `${request.method} ${redactUrl(request.url)}`;
  const started = performance.now();
  const response =
    request.url.protocol === "file:"
      ? await readFileUrl(request.url, shown)
      : await send(request, ctx.signal, shown);
  const ms = Math.round(performance.now() - started);
  const moved = response.url === redactUrl(request.url) ? "" : ` (redirected to ${response.url})`;
  ctx.log.info(
    `${shown}${moved} -> ${response.status} ${response.statusText} in ${ms}ms, ${formatBytes(response.body.length)}`,
  );
  return { request, response };
}

async function send(
  request: HttpRequest,
  signal: AbortSignal,
  shown: string,
): Promise<HttpResponse> {
  let answer: Response;
  let body: Uint8Array;
  try {
    answer = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body }),
      redirect: "follow",
      signal,
    });
    body = new Uint8Array(await answer.arrayBuffer());
  } catch (error) {
    throw describeFetchFailure(error, signal, shown, request.url.hostname);
  }
  return makeResponse(answer.status, answer.statusText, redactUrl(new URL(answer.url)), {
    headers: Object.fromEntries(answer.headers),
    body,
  });
}

// fetch has no file: support; examples and tests read a local fixture as if it were served.
async function readFileUrl(url: URL, shown: string): Promise<HttpResponse> {
  try {
    const body = new Uint8Array(await readFile(fileURLToPath(url)));
    return makeResponse(200, "OK", url.href, { headers: {}, body });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new HttpError(`cannot read the file (${code}): ${shown}`, "file");
  }
}

function makeResponse(
  status: number,
  statusText: string,
  url: string,
  parts: { headers: Record<string, string>; body: Uint8Array },
): HttpResponse {
  const { headers, body } = parts;
  const text = (): string => Buffer.from(body).toString("utf8");
  return { status, statusText, url, headers, body, text, json: () => JSON.parse(text()) };
}

/**
 * Why a response fails an http task's settings, or undefined: a status not expected (default
 * 2xx; the message quotes the body's first 200 bytes), or `check` returning false.
 */
export async function responseProblem(
  settings: HttpSettings,
  response: HttpResponse,
): Promise<string | undefined> {
  const { expectedStatus, check } = settings;
  const expected =
    expectedStatus === undefined
      ? response.status >= 200 && response.status < 300
      : typeof expectedStatus === "function"
        ? expectedStatus(response.status)
        : expectedStatus.includes(response.status);
  if (!expected) {
    const start = Buffer.from(response.body.subarray(0, 200)).toString("utf8").replace(/\s+/g, " ");
    const more = response.body.length > 200 ? "..." : "";
    return `unexpected status ${response.status} ${response.statusText}: ${response.url}: ${JSON.stringify(start + more)}`;
  }
  if (check !== undefined && (await check(response)) === false)
    return `check returned false (status ${response.status}): ${response.url}`;
  return undefined;
}
