import { Command } from "commander";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { findTryLog, readLogChunk, type TryLogRef } from "../../ops/read-log.js";
import { parsePositiveInt } from "../parse.js";
import { instanceIn } from "../../core/task-table.js";

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
        const tryNumber =
          options.try === undefined ? undefined : parsePositiveInt("--try", options.try);
        const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
        const log = await findTryLog(workspace, {
          dagId,
          taskId,
          ...(options.run !== undefined && { runId: options.run }),
          ...(tryNumber !== undefined && { tryNumber }),
        });
        // Chunk by chunk to the end of what is written now, as a stream reading to EOF did.
        let chunk = await readLogChunk(log.path, 0);
        if (chunk === undefined || chunk.size === 0) {
          context.stderr.write(
            `flow: try ${log.tryNumber} of "${taskId}" wrote no output${howItEnded(log)} (${log.path})\n`,
          );
          return;
        }
        while (chunk !== undefined && chunk.data.length > 0) {
          await write(context.stdout, chunk.data);
          chunk = await readLogChunk(log.path, chunk.nextOffset);
        }
      },
    );
}

// Writes a chunk, waiting for a full pipe to drain before the next one.
function write(out: NodeJS.WritableStream, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(data)) resolve();
    else out.once("drain", resolve);
  });
}

// `; it ended failed: exit code 1`, when the log is of the task's last try and that try has ended:
// with nothing in the log, the reason is all there is to say why.
function howItEnded(log: TryLogRef): string {
  const instance = instanceIn(log.run.tasks, log.taskId);
  if (instance === undefined || instance.try_number !== log.tryNumber || instance.end === null)
    return "";
  return `; it ended ${instance.state}${instance.reason ? `: ${instance.reason}` : ""}`;
}
