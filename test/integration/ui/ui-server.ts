import { request } from "node:http";
import type { ResultPromise } from "execa";
import type { Project } from "../../e2e/harness.js";

/** A running `flow ui --port 0` (the built binary) and what it printed. */
export interface UiProcess {
  readonly child: ResultPromise;
  readonly port: number;
  readonly token: string;
  readonly origin: string;
  /** What it has written on stderr so far. */
  stderr(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | undefined>;
}

/** Starts `flow ui --port 0` in the project and waits for the URL line. */
export async function startUi(
  project: Project,
  args: string[] = [],
  env?: Record<string, string>,
): Promise<UiProcess> {
  const child = project.spawn(["ui", "--port", "0", ...args], env && { env });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /flow ui: (http:\/\/\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    void child.then((result) =>
      reject(new Error(`flow ui exited ${result.exitCode}: ${result.stderr}`)),
    );
  });
  const url = new URL(line);
  return {
    child,
    port: Number(url.port),
    token: url.searchParams.get("token")!,
    origin: url.origin,
    stderr: () => stderr,
    async stop() {
      child.kill("SIGTERM");
      return (await child).exitCode;
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  /** Raw body text, sent as is (bad JSON). */
  readonly raw?: string;
  /** Sent as X-Flow-Token; `null` sends none. Default: the server's token on POSTs. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

/**
 * One request with node:http, which (unlike fetch) lets a test send any Host header. POSTs carry
 * the token and a JSON content type unless the options say otherwise.
 */
export function call(ui: UiProcess, path: string, options: RequestOptions = {}): Promise<Reply> {
  const method = options.method ?? (options.body !== undefined ? "POST" : "GET");
  const body =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const token = options.token === undefined ? (method === "POST" ? ui.token : null) : options.token;
  const headers: Record<string, string> = {
    host: `127.0.0.1:${ui.port}`,
    ...(body !== undefined && { "content-type": "application/json" }),
    ...(token !== null && { "x-flow-token": token }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: ui.port, path, method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Polls `path` until `done(json)` holds (at most `timeoutMs`), and returns that reply. */
export async function waitFor(
  ui: UiProcess,
  path: string,
  done: (json: any) => boolean, // eslint-disable-line @typescript-eslint/no-explicit-any
  timeoutMs = 20_000,
): Promise<Reply> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(ui, path);
    if (reply.status === 200 && done(reply.json)) return reply;
    if (Date.now() > until) throw new Error(`timed out on ${path}: ${reply.text.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The path of a run's API resource (run ids hold ":" and "+", so they are encoded). */
export function runPath(dagId: string, runId: string, rest = ""): string {
  return `/api/dags/${dagId}/runs/${encodeURIComponent(runId)}${rest}`;
}

/** A pipeline for the UI tests: extract -> transform -> load; transform fails until `ok` exists. */
export const ETL = `
import { dag, bash } from "flow";

const extract = bash("extract", "echo extract >> executions.log; echo 'extracting: caf\u00e9 ok'");
const transform = bash(
  "transform",
  "echo transform >> executions.log; test -f ok || { echo 'no ok file'; exit 1; }",
  { upstream: [extract] },
);
const load = bash("load", "echo load >> executions.log", { upstream: [transform] });

export default dag({ id: "etl", schedule: "@daily", start: "2026-01-01", tasks: [extract, transform, load] });
`;
