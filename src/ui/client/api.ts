// Calls to flow ui's JSON API with the start token (ui-contract.md): the token comes once in the
// printed URL, lives in sessionStorage, and leaves the address bar so it is not bookmarked or shared.

const TOKEN_KEY = "flow-token";

/** Reads `?token=` once into sessionStorage and removes it from the address bar. */
export function adoptToken(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  if (token === null) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

export function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

/** An API error: the server's one-line message, its hint and status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly hint: string | undefined,
  ) {
    super(message);
  }
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "X-Flow-Token": token() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    // A proxy's HTML error page, say: shown as the status line below.
  }
  if (!response.ok) {
    const error = json as { error?: string; hint?: string } | undefined;
    throw new ApiError(
      error?.error ?? `${response.status} ${response.statusText}`,
      response.status,
      error?.hint,
    );
  }
  return json as T;
}

export const getJson = <T>(path: string): Promise<T> => call<T>("GET", path);
export const postJson = <T>(path: string, body: unknown): Promise<T> => call<T>("POST", path, body);

/** Builds an /api path from segments, each encoded: ids are never pasted into a URL raw. */
export function apiPath(...segments: string[]): string {
  return "/api/" + segments.map(encodeURIComponent).join("/");
}
