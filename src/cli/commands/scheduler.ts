import { Command, Option } from "commander";
import { MAX_RUNS_CREATED_PER_PASS } from "../../core/scheduler-pass.js";
import { EXIT, FlowError, InterruptedError, LockError, UsageError } from "../../errors.js";
import { openStore } from "../../ops/open-store.js";
import { runScheduler } from "../../ops/scheduler-daemon.js";
import { runSchedulerPass, type SchedulerPassResult } from "../../ops/scheduler-pass.js";
import { startDetached } from "../../scheduler/detach.js";
import { readSchedulerStatus, schedulerPaths } from "../../scheduler/scheduler-lock.js";
import { makeSchedulerLog, type SchedulerLog } from "../../scheduler/scheduler-log.js";
import { pipelinesDir, type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { GracefulStop } from "../graceful-stop.js";
import { parseGrace, parsePositiveInt } from "../parse.js";
import type { ExecutorChoice } from "../../runner/engine.js";
import {
  addExecutorOptions,
  executorArgs,
  parseExecutorChoice,
  type ExecutorFlags,
} from "../executor-options.js";
import { renderPassDone } from "../render/scheduler-pass.js";
import { makeStatusSubcommand, makeStopSubcommand } from "./scheduler-control.js";

interface SchedulerOptions extends ExecutorFlags {
  once?: boolean;
  detach?: boolean;
  grace: string;
  parallelism?: string;
}

/** `flow scheduler`: create due runs and execute them, as a daemon or one pass for cron. */
export function makeSchedulerCommand(context: CliContext): Command {
  const command = new Command("scheduler")
    .description(
      "create the runs that are due on every scheduled DAG and execute them: a daemon, or one pass (--once) for cron",
    )
    .option("--once", "one pass for cron: create what is due, run it to completion, exit")
    .option("--detach", "start the daemon in the background (log: <state>/scheduler.log)")
    .addOption(
      new Option(
        "--grace <duration>",
        "on SIGTERM/SIGINT, time running tasks get to finish",
      ).default("30s", "30s"),
    )
    .option("--parallelism <n>", "tasks running at once, across all runs (default: 32)");
  addExecutorOptions(command)
    .addHelpText(
      "after",
      `
Each pass creates at most ${MAX_RUNS_CREATED_PER_PASS} runs per DAG (the next pass goes on), within the DAG's
maxActiveRuns. One scheduler per state dir: a second daemon exits 4; a --once that finds another
scheduler running says so on stderr and exits 0 (so cron does not mail every minute).

Examples:
  flow scheduler                         # run in the foreground until SIGTERM or Ctrl-C
  flow scheduler --detach                # in the background; then:
  flow scheduler status                  #   exit 0 and its pid if running, exit 3 if not
  flow scheduler stop                    #   SIGTERM, wait for it to exit
  * * * * * cd /srv/pipelines && npx flow scheduler --once    # crontab: exit 1 if a run failed, 3 if a pipeline failed to import
  FLOW_NOW=2026-01-04T06:00:00Z flow scheduler --once          # as if it were then (testing)`,
    )
    .action(async (options: SchedulerOptions, self: Command) => {
      const global = self.optsWithGlobals<GlobalOptions>();
      const graceMs = parseGrace(options.grace);
      const parallelism =
        options.parallelism === undefined
          ? undefined
          : parsePositiveInt("--parallelism", options.parallelism);
      if (options.once && options.detach)
        throw new UsageError("--once runs one pass in the foreground: it takes no --detach");
      const executor = parseExecutorChoice(context, global, options);
      if (options.detach) return detach(context, global, options);
      await schedule(context, global, {
        once: options.once === true,
        graceMs,
        parallelism,
        executor,
      });
    });
  command.addCommand(makeStatusSubcommand(context));
  command.addCommand(makeStopSubcommand(context));
  return command;
}

// The foreground scheduler: the daemon loop, or --once. The one graceful stop listens meanwhile.
async function schedule(
  context: CliContext,
  global: GlobalOptions,
  options: {
    once: boolean;
    graceMs: number;
    parallelism: number | undefined;
    executor: ExecutorChoice;
  },
): Promise<void> {
  const log = makeSchedulerLog(context.stdout, context.stderr);
  const stop = new GracefulStop(options.graceMs).onStop(() =>
    log.info(`stop requested: no new runs; running tasks get ${options.graceMs / 1000}s`),
  );
  const how = {
    log,
    stop,
    ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
    executor: options.executor,
  };
  stop.listen();
  try {
    if (!options.once) return await runScheduler(workspaceOf(context, global), how);
    const pass = await runSchedulerPass(workspaceOf(context, global), how);
    // Luigi's convention for cron: an overlapping invocation is not a failure.
    if (!pass.ran) return void context.stderr.write(`flow: ${pass.busy}\n`);
    endPass(context, log, pass);
  } finally {
    stop.dispose();
  }
}

// --once: exit 1 when a run failed, 3 when a pipeline failed to import, 130 when a stop request
// stopped a run.
function endPass(context: CliContext, log: SchedulerLog, pass: SchedulerPassResult): void {
  log.info(renderPassDone(pass));
  if (pass.status === "interrupted")
    throw new InterruptedError("interrupted: stopped runs are queued and resume on the next pass");
  const [error, ...others] = pass.errors;
  for (const other of others) log.warn(other instanceof Error ? other.message : String(other));
  if (error !== undefined) {
    if (error instanceof FlowError) throw error;
    throw error instanceof Error ? error : new Error(String(error));
  }
  if (pass.status === "failed") context.result.exitCode = EXIT.runFailed;
  // From cron a broken pipeline must not go unnoticed: the other pipelines ran, yet the exit
  // says a pipeline failed to import (a failed run's 1 takes precedence).
  else if (pass.importErrors.length > 0) context.result.exitCode = EXIT.pipeline;
}

// --detach: start the daemon in the background and report where it logs.
async function detach(
  context: CliContext,
  global: GlobalOptions,
  options: SchedulerOptions,
): Promise<void> {
  const store = await openStore(workspaceOf(context, global));
  const status = await readSchedulerStatus(store.location);
  if (status.running) {
    throw new LockError(
      `a scheduler is already running for state dir ${store.location} (pid ${status.pid})`,
    );
  }
  const launcher = process.argv[1];
  if (launcher === undefined) throw new Error("cannot tell how flow was started");
  const result = await startDetached({
    argv: [
      ...process.execArgv,
      launcher,
      "--pipelines",
      pipelinesDir(context, global),
      "--state-dir",
      store.location,
      "scheduler",
      "--grace",
      options.grace,
      ...(options.parallelism === undefined ? [] : ["--parallelism", options.parallelism]),
      ...executorArgs(options),
    ],
    cwd: context.cwd,
    env: context.env,
    stateDir: store.location,
    timeoutMs: 30_000,
  });
  if (!result.started) {
    if (result.logTail) context.stderr.write(`${result.logTail}\n`);
    throw new FlowError(
      `the scheduler did not start${result.exitCode === null ? "" : ` (exit code ${result.exitCode})`}`,
      {
        exitCode: result.exitCode !== null && result.exitCode > 0 ? result.exitCode : EXIT.state,
        hint: `its log: ${schedulerPaths(store.location).log}`,
      },
    );
  }
  context.stdout.write(`scheduler started (pid ${result.pid}), log: ${result.log}\n`);
}
