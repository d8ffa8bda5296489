import { Hono } from "hono";
import { StateFileError } from "../../errors.js";
import { allowedMethodsOf } from "./allowed-methods.js";
import { HttpError, toErrorReply } from "./http-error.js";
import type { LiveUpdates } from "./live-updates.js";
import { addActionRoutes } from "./routes-actions.js";
import { addLogRoutes } from "./routes-log.js";
import { addReadRoutes } from "./routes-read.js";
import { guardRequests, SECURITY_HEADERS, type Guard } from "./security.js";
import type { ServerContext } from "./server-context.js";
import { addStaticRoutes } from "./static-files.js";

export interface AppOptions extends ServerContext {
  readonly guard: Guard;
  readonly live: LiveUpdates;
  readonly clientDir: string;
  /**
   * Where a bug's message goes (the server's stderr): the browser only sees "internal error". A
   * pipeline or state file flow cannot read goes there too, for the operator to fix.
   */
  readonly logBug: (error: unknown) => void;
}

/** The web view's routes behind the request checks; errors as JSON `{error, hint?}`. */
export function makeApp(options: AppOptions): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    if (c.req.path.startsWith("/api/")) c.header("Cache-Control", "no-store");
    await next();
  });
  app.use("*", guardRequests(options.guard));
  app.get("/api/events", (c) =>
    c.body(options.live.hub.connect(), 200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    }),
  );
  addReadRoutes(app, options);
  addLogRoutes(app, options);
  addActionRoutes(app, options);
  addStaticRoutes(app, options.clientDir);
  // A path some route has, asked with another method: 405 with the methods it takes (RFC 9110).
  const allowedMethods = allowedMethodsOf(app);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length === 0)
      return c.json({ error: `no such URL: ${c.req.method} ${c.req.path}` }, 404);
    c.header("Allow", allowed.join(", "));
    return c.json(
      { error: `${c.req.method} is not allowed on ${c.req.path}: it takes ${allowed.join(", ")}` },
      405,
    );
  });
  app.onError((error, c) => {
    const reply = toErrorReply(error);
    if ((reply.status === 500 && !(error instanceof HttpError)) || error instanceof StateFileError)
      options.logBug(error);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    return c.json(reply.body, reply.status);
  });
  return app;
}
