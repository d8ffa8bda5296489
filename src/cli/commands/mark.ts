import { Argument, Command } from "commander";
import { MARK_STATES, type MarkState } from "../../core/mark.js";
import { stateIn } from "../../core/upstream-tally.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadDag } from "../../ops/load-dag.js";
import { formatState } from "../render/colors.js";
import { makeTable } from "../render/table.js";
import { markTask } from "../../ops/mark.js";

interface MarkOptions {
  run: string;
  task: string;
  upstream?: boolean;
  downstream?: boolean;
}

/**
 * `flow mark <dag> --run <run_id> --task <id> <state>`: set a task instance's state by hand
 * (Airflow's mark success / failed / skipped); the trigger rules then decide what follows.
 */
export function makeMarkCommand(context: CliContext): Command {
  return new Command("mark")
    .description(
      "set a task instance to success, failed or skipped by hand; its downstream tasks follow the trigger rules",
    )
    .argument("<dag>", "DAG id")
    .addArgument(new Argument("<state>", "the new state").choices(MARK_STATES))
    .requiredOption("--run <run_id>", "the run")
    .requiredOption("--task <id>", "the task")
    .option("--downstream", "also mark every task downstream of it")
    .option("--upstream", "also mark every task upstream of it")
    .addHelpText(
      "after",
      `
Examples:
  flow mark etl success --run manual__2026-01-05T00:00:00+00:00 --task transform
  flow mark etl failed --run manual__2026-01-05T00:00:00+00:00 --task extract
  flow mark etl skipped --run manual__2026-01-05T00:00:00+00:00 --task load --downstream

A run with tasks left to run goes back to queued: continue it with flow run <dag> --run <run_id>.`,
    )
    .action(async (dagId: string, state: MarkState, options: MarkOptions, command: Command) => {
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      const { loaded } = await loadDag(workspace, dagId);
      const { task: taskId } = options;
      const { runId, before, changed, run } = await markTask(workspace, loaded, {
        runId: options.run,
        taskId,
        state,
        ...(options.upstream && { upstream: true }),
        ...(options.downstream && { downstream: true }),
      });
      let output: string;
      if (changed.length === 0) {
        output = `task "${taskId}" is already ${state} in run ${runId}: nothing changed\n`;
      } else {
        const table = makeTable(["task", "was", "now", "reason"], { color: context.color });
        for (const instance of changed) {
          table.push([
            instance.task_id,
            // A task added to the DAG since the run was created had no instance: no state.
            formatState(stateIn(before.tasks, instance.task_id) ?? "none", context.color),
            formatState(instance.state, context.color),
            instance.reason ?? "",
          ]);
        }
        output = `${table.toString()}\n${describeRun(dagId, runId, run.state)}\n`;
      }
      context.stdout.write(output);
    });
}

// What the run became, and what to do next when it has tasks left.
function describeRun(dagId: string, runId: string, state: string): string {
  if (state === "queued")
    return `run ${runId} is queued: flow run ${dagId} --run ${runId} (or flow retry) continues it`;
  return `run ${runId} is ${state}`;
}
