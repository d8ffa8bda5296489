import { Command, CommanderError } from "commander";
import { EXIT, FlowError } from "../errors.js";
import { processContext, type CliContext } from "./context.js";
import { makeBackfillCommand } from "./commands/backfill.js";
import { makeClearCommand } from "./commands/clear.js";
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
import { makeValidateCommand } from "./commands/validate.js";

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
  ]) {
    program.addCommand(
      make(context)
        .exitOverride()
        .configureOutput({ outputError: () => undefined }),
    );
  }
  return program;
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
    const message = error.message.replace(/^error: /, "");
    stderr.write(`flow: ${message}\n`);
    stderr.write(
      "flow: hint: flow --help lists the commands, flow <command> --help their options\n",
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
