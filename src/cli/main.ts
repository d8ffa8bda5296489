import { Command, CommanderError, type HelpConfiguration } from "commander";
import { EXIT, FlowError } from "../errors.js";
import { processContext, type CliContext } from "./context.js";
import { makeBackfillCommand } from "./commands/backfill.js";
import { makeClearCommand } from "./commands/clear.js";
import { makeConnectionsCommand } from "./commands/connections.js";
import { makeMarkCommand } from "./commands/mark.js";
import { makeRetryCommand } from "./commands/retry.js";
import { makeListCommand } from "./commands/list.js";
import { makeLogsCommand } from "./commands/logs.js";
import { makeNextCommand } from "./commands/next.js";
import { makeRunCommand } from "./commands/run.js";
import { makeSchedulerCommand } from "./commands/scheduler.js";
import { makeStatusCommand } from "./commands/status.js";
import { makeTestCommand } from "./commands/test.js";
import { makeTreeCommand } from "./commands/tree.js";
import { makeUiCommand } from "./commands/ui.js";
import { makeValidateCommand } from "./commands/validate.js";
import { makeWorkerChildCommand, makeWorkerCommand } from "./commands/worker.js";
import { makeWorkersCommand } from "./commands/workers.js";

/** Builds the program: global options and one sub-command per file in ./commands. */
export function makeProgram(context: CliContext): Command {
  const program = new Command("flow")
    .description("Run data pipelines (DAGs of tasks) from the command line, with Airflow's model.")
    .version("0.1.0")
    .option("--pipelines <dir>", "pipelines folder (default: FLOW_PIPELINES or ./pipelines)")
    .option("--state-dir <dir>", "state folder (default: FLOW_HOME or ./state)")
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: () => undefined,
    })
    .exitOverride();
  for (const make of [
    makeListCommand,
    makeRunCommand,
    makeBackfillCommand,
    makeRetryCommand,
    makeClearCommand,
    makeMarkCommand,
    makeStatusCommand,
    makeTreeCommand,
    makeNextCommand,
    makeSchedulerCommand,
    makeLogsCommand,
    makeTestCommand,
    makeValidateCommand,
    makeUiCommand,
    makeConnectionsCommand,
    makeWorkerCommand,
    makeWorkersCommand,
  ]) {
    program.addCommand(make(context));
  }
  program.addCommand(makeWorkerChildCommand(context), { hidden: true });
  // The global options, less --version (which only the program itself takes).
  const globalOptions = program.options.filter((option) => option.long !== "--version");
  const help: HelpConfiguration = {
    showGlobalOptions: true,
    visibleGlobalOptions: () => globalOptions,
  };
  // addCommand() copies no settings from the parent, so each command and sub-command gets them here.
  const configure = (command: Command): void => {
    command
      .exitOverride((error) => {
        throw new CommandParseError(command, error);
      })
      .configureOutput({ outputError: () => undefined })
      .configureHelp(help);
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** A parse error of a sub-command (missing option, unknown option, bad value), with its name. */
class CommandParseError extends CommanderError {
  /** The command as typed after `flow`: `backfill`, `scheduler stop`. */
  readonly commandPath: string;

  constructor(command: Command, error: CommanderError) {
    super(error.exitCode, error.code, error.message);
    const names: string[] = [];
    for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
    this.commandPath = names.join(" ");
  }
}

/**
 * The only place where errors become output and exit codes: a FlowError is one line on stderr;
 * anything else is a bug in flow, reported as such (stack with FLOW_DEBUG=1).
 */
export async function main(argv: string[]): Promise<number> {
  let context: CliContext | undefined;
  try {
    context = processContext();
    const program = makeProgram(context);
    await program.parseAsync(argv);
    return context.result.exitCode;
  } catch (error) {
    return report(error, context);
  }
}

function report(error: unknown, context: CliContext | undefined): number {
  const stderr = context?.stderr ?? process.stderr;
  if (error instanceof CommanderError) {
    if (
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.exitCode === 0
    ) {
      return EXIT.ok;
    }
    stderr.write(`flow: ${commanderMessage(error.message)}\n`);
    stderr.write(
      error instanceof CommandParseError
        ? `flow: hint: flow ${error.commandPath} --help shows its options\n`
        : "flow: hint: flow --help lists the commands, flow <command> --help their options\n",
    );
    return EXIT.usage;
  }
  if (error instanceof FlowError) {
    stderr.write(`flow: ${error.message}\n`);
    if (error.hint) stderr.write(`flow: hint: ${error.hint}\n`);
    if (process.env.FLOW_DEBUG === "1" && error.cause instanceof Error)
      stderr.write(`${error.cause.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`flow: internal error (a bug in flow): ${message.split("\n")[0]}\n`);
  if (process.env.FLOW_DEBUG === "1" && error instanceof Error) stderr.write(`${error.stack}\n`);
  else stderr.write("flow: hint: run again with FLOW_DEBUG=1 for the stack trace, and report it\n");
  return EXIT.internal;
}

/**
 * Commander's message in flow's form, one line: `error: unknown command 'lst'` and its
 * `(Did you mean list?)` line become `unknown command "lst" (did you mean "list"?)`.
 */
function commanderMessage(message: string): string {
  const [first = "", ...rest] = message.replace(/^error: /, "").split("\n");
  const line = first.replace(/'([^']*)'/g, '"$1"');
  const suggestion = /^\(Did you mean (?:one of )?(.+)\?\)$/.exec(rest.join(" ").trim());
  if (suggestion?.[1] !== undefined) {
    const names = suggestion[1].split(", ").map((name) => `"${name}"`);
    return `${line} (did you mean ${names.join(" or ")}?)`;
  }
  return [line, ...rest].join(" ").trim();
}
