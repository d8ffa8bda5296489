import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { UsageError } from "../../errors.js";
import type { Workspace } from "../../ops/workspace.js";
import { makeApp } from "./app.js";
import type { FlowLauncher } from "./detach-run.js";
import { LiveUpdates } from "./live-updates.js";
import { isLoopback, type Guard } from "./security.js";
import { findClientDir } from "./static-files.js";

export interface UiServerOptions {
  readonly workspace: Workspace;
  readonly launcher: FlowLauncher;
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly logBug: (error: unknown) => void;
}

/** A listening web view: its URL (with the token) and how to stop it. */
export interface UiServer {
  readonly url: string;
  readonly port: number;
  /** Listening beyond loopback: reads need the token too. */
  readonly exposed: boolean;
  close(): Promise<void>;
}

/**
 * Starts `flow ui`'s server: a fresh random token per start, the routes, live updates. Tasks
 * never run in this process: actions start detached `flow run` processes.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const guard: Guard = { token: randomBytes(16).toString("hex"), host: options.host, port: 0 };
  const live = new LiveUpdates(options.workspace);
  const app = makeApp({
    workspace: options.workspace,
    launcher: options.launcher,
    guard,
    live,
    clientDir: findClientDir(),
    logBug: options.logBug,
  });
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE" || error.code === "EACCES" || error.code === "EADDRNOTAVAIL"
          ? new UsageError(`cannot listen on ${options.host}:${options.port}: ${error.code}`, {
              hint: "pick another --port (0: any free port) or --host",
            })
          : error,
      ),
    );
  });
  guard.port = (server.address() as AddressInfo).port;
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${guard.port}/?token=${guard.token}`,
    port: guard.port,
    exposed: !isLoopback(options.host),
    close: () =>
      new Promise<void>((resolve) => {
        live.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
