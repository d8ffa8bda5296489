import { Command } from "commander";
import { EXIT } from "../../errors.js";
import { listConnectionRows, testConnection } from "../../ops/connections.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { makeTable, orDash } from "../render/table.js";

/** `flow connections list|test`: the connections tasks can name, and whether one answers. */
export function makeConnectionsCommand(context: CliContext): Command {
  const command = new Command("connections").description(
    "list the connections (FLOW_CONN_<ID> and the state dir's connections.json) or test one",
  );
  command
    .command("list")
    .description("list the connections, their passwords hidden")
    .option("--json", "print JSON: [{id, scheme, host, port, login, password, from}]")
    .addHelpText(
      "after",
      `
Examples:
  FLOW_CONN_API='https://user:pass@api.example.com/v1' flow connections list
  flow connections list --json`,
    )
    .action((options: { json?: boolean }, sub: Command) => {
      const rows = listConnectionRows(workspaceOf(context, sub.optsWithGlobals<GlobalOptions>()));
      if (options.json) {
        context.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        context.stdout.write(
          "no connections: set FLOW_CONN_<ID>=<uri>, or write the state dir's connections.json\n",
        );
        return;
      }
      const table = makeTable(["id", "scheme", "host", "port", "login", "password", "from"], {
        color: context.color,
      });
      for (const row of rows)
        table.push([
          row.id,
          row.scheme,
          orDash(row.host),
          orDash(row.port === null ? null : String(row.port)),
          orDash(row.login),
          row.password ? "***" : "-",
          row.from,
        ]);
      context.stdout.write(`${table.toString()}\n`);
    });
  command
    .command("test")
    .description("http(s): GET the base URL (ok below 500); smtp(s): an SMTP handshake")
    .argument("<id>", "connection id")
    .addHelpText(
      "after",
      `
Examples:
  flow connections test api
  flow connections test smtp_default`,
    )
    .action(async (id: string, _options: unknown, sub: Command) => {
      const workspace = workspaceOf(context, sub.optsWithGlobals<GlobalOptions>());
      const result = await testConnection(workspace, id);
      (result.ok ? context.stdout : context.stderr).write(
        `${result.ok ? "ok" : "flow: failed"}: connection "${id}": ${result.detail}\n`,
      );
      if (!result.ok) context.result.exitCode = EXIT.runFailed;
    });
  return command;
}
