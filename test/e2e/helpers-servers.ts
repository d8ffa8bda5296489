import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A loopback HTTP server for http tasks: a route per behaviour, stopped by `close`. */
export interface TestHttpServer {
  readonly url: string;
  readonly port: number;
  /** Requests seen, in order: method, path and query, headers. */
  readonly requests: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

export const LARGE_BODY_BYTES = 3 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => resolve(body));
  });
}

// Each path is one behaviour an http task must handle.
async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const status = /^\/status\/(\d{3})$/.exec(url.pathname);
  if (url.pathname === "/ok") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ hello: "world" }));
  } else if (status) {
    response.writeHead(Number(status[1]), { "content-type": "text/plain" });
    response.end(`error body from the server ${"x".repeat(300)}`);
  } else if (url.pathname === "/slow") {
    const timer = setTimeout(() => response.end("late"), 10_000);
    response.on("close", () => clearTimeout(timer));
  } else if (url.pathname === "/redirect") {
    response.writeHead(302, { location: "/ok" });
    response.end();
  } else if (url.pathname === "/large") {
    response.writeHead(200, { "content-type": "application/octet-stream" });
    response.end(Buffer.alloc(LARGE_BODY_BYTES, 7));
  } else if (url.pathname === "/reset") {
    request.socket.destroy();
  } else if (url.pathname.startsWith("/api/echo")) {
    const body = await readBody(request);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: request.headers.authorization ?? null,
        contentType: request.headers["content-type"] ?? null,
        custom: request.headers["x-custom"] ?? null,
        body,
      }),
    );
  } else if (url.pathname === "/boom") {
    response.writeHead(503);
    response.end("down");
  } else {
    response.writeHead(404);
    response.end("no such route");
  }
}

/** Starts the server on a free loopback port. */
export async function startHttpServer(): Promise<TestHttpServer> {
  const requests: TestHttpServer["requests"] = [];
  const server: Server = createServer((request, response) => {
    requests.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
    });
    void answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A mail the SMTP server received: the envelope and the raw message. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Logins tried, with whether they were accepted. */
  readonly logins: { user: string; accepted: boolean }[];
  /** Clients that connected, whatever they did then. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server, from nodemailer's project) on loopback, without TLS, that
 * accepts the login `user` / `password` only.
 */
export async function startSmtpServer(user: string, password: string): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const logins: TestSmtpServer["logins"] = [];
  let connections = 0;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      const accepted = auth.username === user && auth.password === password;
      logins.push({ user: auth.username ?? "", accepted });
      if (accepted) callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    logins,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
