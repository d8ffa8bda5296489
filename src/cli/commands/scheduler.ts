import { Command } from "commander";
import { relative } from "node:path";
import { EXIT, FlowError, InterruptedError, LockError, UsageError } from "../../errors.js";
import { parseDuration } from "../../core/duration.js";
import { makeLocalEngine } from "../../runner/engine.js";
import { runSchedulerDaemon } from "../../scheduler/daemon.js";
import { startDetached } from "../../scheduler/detach.js";
import { GracefulStop } from "../../scheduler/graceful-stop.js";
import { MAX_RUNS_CREATED_PER_PASS } from "../../scheduler/plan-pass.js";
import { ReloadingResolver } from "../../scheduler/reloading-resolver.js";
import { runSchedulerOnce } from "../../scheduler/run-once.js";
import {
  readSchedulerStatus,
  schedulerPaths,
  takeSchedulerLock,
} from "../../scheduler/scheduler-lock.js";
import { makeSchedulerLog, type SchedulerLog } from "../../scheduler/scheduler-log.js";
import { stopScheduler } from "../../scheduler/stop-scheduler.js";
import { unfinishedRunsOnly } from "../../scheduler/unfinished-runs-store.js";
import {
  pipelinesDir,
  stateDir,
  type CliContext,
  type GlobalOptions,
  workspaceOf,
} from "../context.js";
import { loadAll } from "../../ops/load-dag.js";
import { parsePositiveInt } from "../parse.js";
import { openStore } from "../../ops/open-store.js";

interface SchedulerOptions {
  once?: boolean;
  detach?: boolean;
  grace: string;
  parallelism?: string;
}

/**
 * `flow scheduler status` when no scheduler runs: 3, systemd's and LSB's "program is not
 * running". Not in errors.ts's EXIT table, where 3 means a pipeline error: only this subcommand
 * uses it, and only for this answer.
 */
const STATUS_NOT_RUNNING = 3;

/** `flow scheduler`: create due runs and execute them, as a daemon or one pass for cron. */
export function makeSchedulerCommand(context: CliContext): Command {
  const command = new Command("scheduler")
    .description(
      "create the runs that are due on every scheduled DAG and execute them: a daemon, or one pass (--once) for cron",
    )
    .option("--once", "one pass for cron: create what is due, run it to completion, exit")
    .option("--detach", "start the daemon in the background (log: <state>/scheduler.log)")
    .option("--grace <duration>", "on SIGTERM/SIGINT, time running tasks get to finish", "30s")
    .option("--parallelism <n>", "tasks running at once, across all runs (default 32)")
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
  * * * * * cd /srv/pipelines && npx flow scheduler --once    # crontab: exit 1 if a run failed
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
      if (options.detach) return detach(context, global, options);
      await schedule(context, global, { once: options.once === true, graceMs, parallelism });
    });
  command.addCommand(makeStatusSubcommand(context));
  command.addCommand(makeStopSubcommand(context));
  return command;
}

// The foreground scheduler: the daemon loop, or --once.
async function schedule(
  context: CliContext,
  global: GlobalOptions,
  options: { once: boolean; graceMs: number; parallelism: number | undefined },
): Promise<void> {
  const store = await openStore(workspaceOf(context, global));
  const log = makeSchedulerLog(context.stdout, context.stderr);
  const stop = new GracefulStop(options.graceMs);
  const lock = await takeSchedulerLock(store.location, (error) => {
    log.warn(`lost the scheduler lock (${error.message}): stopping`);
    stop.request();
  });
  if (lock.held) {
    const message = `a scheduler is already running for state dir ${store.location}${lock.pid === null ? "" : ` (pid ${lock.pid})`}`;
    if (!options.once) throw new LockError(message);
    // Luigi's convention for cron: an overlapping invocation is not a failure.
    context.stderr.write(`flow: ${message}\n`);
    return;
  }
  stop.listen();
  stop.onStop(() =>
    log.info(`stop requested: no new runs; running tasks get ${options.graceMs / 1000}s`),
  );
  try {
    const dir = pipelinesDir(context, global);
    const pipelines = await loadAll(workspaceOf(context, global));
    for (const error of pipelines.errors)
      for (const message of error.messages) log.warn(`import error: ${message}`);
    const resolver = new ReloadingResolver(pipelines);
    const engine = await makeLocalEngine(unfinishedRunsOnly(store), resolver, {
      ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
    });
    try {
      if (options.once) {
        await once(context, log, stop, { store, engine, pipelines });
      } else {
        log.info(
          `scheduler started (pid ${process.pid}, state dir ${store.location}, pipelines ${relative(context.cwd, dir) || dir}, ${pipelines.dags.size} dag(s))`,
        );
        await runSchedulerDaemon({
          store,
          engine,
          resolver,
          pipelinesDir: dir,
          pipelines,
          reload: () => loadAll(workspaceOf(context, global)),
          cwd: context.cwd,
          now: () => context.now(),
          log,
          stop,
        });
        log.info("scheduler stopped");
      }
    } finally {
      await engine.close();
    }
  } finally {
    stop.dispose();
    await lock.release();
  }
}

// --once: one pass to completion; exit 1 when a run failed, 130 when a signal stopped a run.
async function once(
  context: CliContext,
  log: SchedulerLog,
  stop: GracefulStop,
  parts: Pick<Parameters<typeof runSchedulerOnce>[0], "store" | "engine" | "pipelines">,
): Promise<void> {
  const summary = await runSchedulerOnce({ ...parts, now: () => context.now(), log, stop });
  const count = (state: string): number =>
    summary.finished.filter((run) => run.state === state).length;
  const summaryParts = [
    `${summary.created} created`,
    `${summary.finished.length} executed: ${count("success")} success, ${count("failed")} failed`,
    ...(count("queued") > 0 ? [`${count("queued")} stopped`] : []),
    ...(summary.skipped > 0 ? [`${summary.skipped} skipped (another flow process had them)`] : []),
  ];
  log.info(`pass done: ${summaryParts.join("; ")}`);
  if (count("queued") > 0)
    throw new InterruptedError("interrupted: stopped runs are queued and resume on the next pass");
  const [error, ...others] = summary.errors;
  for (const other of others) log.warn(other instanceof Error ? other.message : String(other));
  if (error !== undefined) {
    if (error instanceof FlowError) throw error;
    throw error instanceof Error ? error : new Error(String(error));
  }
  if (count("failed") > 0) context.result.exitCode = EXIT.runFailed;
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

function makeStatusSubcommand(context: CliContext): Command {
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
      context.result.exitCode = STATUS_NOT_RUNNING;
    });
}

function makeStopSubcommand(context: CliContext): Command {
  return new Command("stop")
    .description("stop the state dir's scheduler (SIGTERM: running tasks get its --grace)")
    .option("--timeout <duration>", "how long to wait for it to exit", "60s")
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

// A duration flag: seconds as a plain number, or "30s", "2m"...
function parseGrace(value: string, flag = "--grace"): number {
  const ms = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) * 1000 : parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag} "${value}" is not a duration (e.g. 30s, 2m)`);
  return ms;
}
