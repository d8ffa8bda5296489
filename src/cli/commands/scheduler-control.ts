import { Command, Option } from "commander";
import { EXIT, FlowError } from "../../errors.js";
import { readSchedulerStatus } from "../../scheduler/scheduler-lock.js";
import { stopScheduler } from "../../scheduler/stop-scheduler.js";
import { stateDir, type CliContext, type GlobalOptions } from "../context.js";
import { parseGrace } from "../parse.js";

/** `flow scheduler status`: whether a scheduler runs for the state dir. */
export function makeStatusSubcommand(context: CliContext): Command {
  return new Command("status")
    .description("whether a scheduler runs for the state dir: exit 0 with its pid, or exit 3")
    .action(async (_options: unknown, self: Command) => {
      const dir = stateDir(context, self.optsWithGlobals<GlobalOptions>());
      const status = await readSchedulerStatus(dir);
      if (status.running) {
        context.stdout.write(
          `scheduler running (pid ${status.pid}) since ${status.since.toISOString()}, state dir ${dir}\n`,
        );
        return;
      }
      const stale =
        status.stalePid === null ? "" : ` (stale pidfile of pid ${status.stalePid}, gone)`;
      context.stdout.write(`scheduler not running for state dir ${dir}${stale}\n`);
      context.result.exitCode = EXIT.notRunning;
    });
}

/** `flow scheduler stop`: SIGTERM to the state dir's scheduler, then wait for it to exit. */
export function makeStopSubcommand(context: CliContext): Command {
  return new Command("stop")
    .description("stop the state dir's scheduler (SIGTERM: running tasks get its --grace)")
    .addOption(
      new Option("--timeout <duration>", "how long to wait for it to exit").default("60s", "60s"),
    )
    .action(async (options: { timeout: string }, self: Command) => {
      const dir = stateDir(context, self.optsWithGlobals<GlobalOptions>());
      const timeoutMs = parseGrace(options.timeout, "--timeout");
      const result = await stopScheduler(dir, timeoutMs);
      if (result.outcome === "not-running") {
        context.stdout.write(`no scheduler is running for state dir ${dir}\n`);
      } else if (result.outcome === "stopped") {
        context.stdout.write(`scheduler stopped (pid ${result.pid})\n`);
      } else {
        throw new FlowError(
          `the scheduler (pid ${result.pid}) did not exit within ${timeoutMs / 1000}s`,
          {
            exitCode: EXIT.runFailed,
            hint: `it may still be finishing tasks; kill -9 ${result.pid} stops it now`,
          },
        );
      }
    });
}
