import { createReadStream, existsSync } from "node:fs";
import { Command } from "commander";
import { NotFoundError, UsageError } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { findRun } from "../../ops/find-run.js";
import { parsePositiveInt } from "../parse.js";
import { openStore } from "../../ops/open-store.js";

/** `flow logs <dag> <task>`: print the log of one try of a task. */
export function makeLogsCommand(context: CliContext): Command {
  return new Command("logs")
    .description("print the log of a task's try (latest run and latest try by default)")
    .argument("<dag>", "DAG id")
    .argument("<task>", "task id")
    .option("--run <run_id>", "run id (default: the latest run)")
    .option("--try <n>", "try number (default: the latest try)")
    .addHelpText(
      "after",
      `
Examples:
  flow logs rocket_launches get_pictures
  flow logs user_events fetch_events --run manual__2026-01-05T00:00:00+00:00 --try 1`,
    )
    .action(
      async (
        dagId: string,
        taskId: string,
        options: { run?: string; try?: string },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const tryOption =
          options.try === undefined ? undefined : parsePositiveInt("--try", options.try);
        const store = await openStore(workspaceOf(context, global));
        const run = await findRun(store, dagId, options.run);
        const instance = run.tasks[taskId];
        if (!instance)
          throw new NotFoundError("task", taskId, Object.keys(run.tasks).sort(), {
            where: `run "${run.run_id}"`,
          });
        if (instance.try_number === 0) {
          throw new UsageError(
            `task "${taskId}" has not run in "${run.run_id}" (state ${instance.state})`,
          );
        }
        const tryNumber = tryOption ?? instance.try_number;
        if (tryNumber > instance.try_number) {
          throw new UsageError(
            `task "${taskId}" has ${instance.try_number} tr${instance.try_number === 1 ? "y" : "ies"} in "${run.run_id}", not ${tryNumber}`,
          );
        }
        const path = store.logPath(dagId, run.run_id, taskId, tryNumber);
        if (!existsSync(path)) {
          context.stderr.write(`flow: try ${tryNumber} of "${taskId}" wrote no output (${path})\n`);
          return;
        }
        await new Promise<void>((resolve, reject) => {
          const stream = createReadStream(path);
          stream.on("error", reject).on("end", resolve);
          stream.pipe(context.stdout, { end: false });
        });
      },
    );
}
