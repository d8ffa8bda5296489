import { spawn } from "node:child_process";
import { Command } from "commander";
import { FlowError, UsageError } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";

interface UiOptions {
  port?: string;
  host?: string;
  open?: boolean;
}

/**
 * `flow ui`: a local web view over the same state dir and pipelines. The server (hono) is
 * imported only here, when the command runs, so no other command pays for loading it.
 */
export function makeUiCommand(context: CliContext): Command {
  return new Command("ui")
    .description("serve a web view of the DAGs, runs and logs, with trigger, clear, retry and mark")
    .option("--port <port>", "port to listen on, 0 for any free port (default: 8080)")
    .option(
      "--host <host>",
      "address to listen on; anything but loopback exposes the view (default: 127.0.0.1)",
    )
    .option("--open", "open the URL in a browser")
    .addHelpText(
      "after",
      `
Examples:
  flow ui                       # http://127.0.0.1:8080/?token=...
  flow ui --port 0 --open       # any free port, opened in the browser

The printed URL carries a token made for this start: actions need it, and so do reads when
--host is not a loopback address. Actions run detached flow run processes. Ctrl-C stops it.`,
    )
    .action(async (options: UiOptions, command: Command) => {
      const port = parsePort(options.port ?? "8080");
      const host = (options.host ?? "127.0.0.1").trim();
      if (host === "") throw new UsageError("--host must not be empty");
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      const script = process.argv[1];
      if (script === undefined) throw new Error("cannot tell how flow was started");
      const { startUiServer } = await import("../../ui/server/start-server.js");
      const server = await startUiServer({
        workspace,
        launcher: { nodeArgs: process.execArgv, script },
        host,
        port,
        // A pipeline or state file flow cannot read is the operator's to fix: one line, as the
        // commands print it. Anything else is a bug, with its stack.
        logBug: (error) =>
          context.stderr.write(
            error instanceof FlowError
              ? `flow ui: ${error.message}\n`
              : `flow ui: internal error (a bug in flow): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
          ),
      });
      if (server.exposed)
        context.stderr.write(
          `flow ui: warning: listening on ${host}, not only this machine: anyone who can reach it and has the token can see and change runs\n`,
        );
      context.stdout.write(`flow ui: ${server.url}\n`);
      if (options.open) openBrowser(server.url);
      await stopped();
      await server.close();
    });
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}

// Resolves at the first SIGINT or SIGTERM: nothing runs here to drain, so stopping is closing.
// The listeners go after this signal's other listeners ran: signal-exit (proper-lockfile's,
// loaded with the first lock a triggered run takes) re-raises a signal when it finds itself its
// only listener, which would kill the process before it closed.
function stopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      setImmediate(() => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      });
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

// Best effort: a machine without a desktop has no opener, and the URL is printed anyway.
function openBrowser(url: string): void {
  const opener = process.platform === "darwin" ? "open" : "xdg-open";
  try {
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // Ignored: see above.
  }
}
