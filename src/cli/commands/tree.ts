import { Command } from "commander";
import type { CliContext, GlobalOptions } from "../context.js";
import { findRun } from "../find-run.js";
import { loadDag } from "../load-dag.js";
import { renderLegend, renderTree } from "../render/tree.js";
import { listRunsRecovered } from "../recover-runs.js";
import { openStore } from "../session.js";

/** `flow tree <dag>`: the task tree, each task coloured by its state in one run. */
export function makeTreeCommand(context: CliContext): Command {
  return new Command("tree")
    .description(
      "show the DAG as a tree of tasks, coloured by their state in a run (latest by default)",
    )
    .argument("<dag>", "DAG id")
    .option("--run <run_id>", "colour by this run instead of the latest")
    .addHelpText(
      "after",
      `
Examples:
  flow tree rocket_launches
  flow tree user_events --run manual__2026-01-05T00:00:00+00:00
  NO_COLOR=1 flow tree rocket_launches     # symbols only`,
    )
    .action(async (dagId: string, options: { run?: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const { loaded } = await loadDag(context, global, dagId);
      const store = await openStore(context, global);
      const runs = await listRunsRecovered(context, global, store, dagId);
      const run =
        options.run !== undefined ? await findRun(store, dagId, options.run) : runs.at(-1);
      const header = run ? `${dagId}  ${run.run_id}  ${run.state}` : `${dagId}  (no runs yet)`;
      context.stdout.write(
        `${header}\n${renderTree(loaded.dag, run?.tasks, { color: context.color })}\n${renderLegend(context.color)}\n`,
      );
    });
}
