import { Command } from "commander";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadDag } from "../../ops/load-dag.js";
import { readRun } from "../../ops/read-run.js";
import { runsPage } from "../../ops/runs-page.js";
import { renderLegend, renderTree } from "../render/tree.js";
import { lostSuffix } from "../render/format.js";
import { renderGrid } from "../render/grid.js";
import { parsePositiveInt } from "../parse.js";
import { UsageError } from "../../errors.js";

/** `flow tree <dag>`: the task tree, each task coloured by its state in one run. */
export function makeTreeCommand(context: CliContext): Command {
  return new Command("tree")
    .description(
      "show the DAG as a tree of tasks, coloured by their state in a run (latest by default)",
    )
    .argument("<dag>", "DAG id")
    .option("--run <run_id>", "colour by this run instead of the latest")
    .option("--runs <n>", "a grid of the last N runs beside the tree (Airflow's grid view)")
    .addHelpText(
      "after",
      `
Examples:
  flow tree rocket_launches
  flow tree user_events --run manual__2026-01-05T00:00:00+00:00
  flow tree user_events --runs 14          # the last 14 runs, one column each
  NO_COLOR=1 flow tree rocket_launches     # symbols only`,
    )
    .action(async (dagId: string, options: { run?: string; runs?: string }, command: Command) => {
      const gridRuns =
        options.runs === undefined ? undefined : parsePositiveInt("--runs", options.runs);
      if (gridRuns !== undefined && options.run !== undefined) {
        throw new UsageError(
          "--run and --runs do not go together: one run, or a grid of the last N",
        );
      }
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      const { dag } = (await loadDag(workspace, dagId)).loaded;
      if (gridRuns !== undefined) {
        const { runs } = await runsPage(workspace, dagId, { offset: 0, limit: gridRuns }, dag);
        const grid = renderGrid(dag, [...runs].reverse(), {
          color: context.color,
          ...(context.stdout.columns !== undefined && { width: context.stdout.columns }),
        });
        context.stdout.write(`${grid}\n`);
        return;
      }
      const run =
        options.run !== undefined
          ? await readRun(workspace, dagId, options.run, dag)
          : (await runsPage(workspace, dagId, { offset: 0, limit: 1 }, dag)).runs[0];
      const header = run
        ? `${dagId}  ${run.run_id}  ${run.state}${lostSuffix(run.lost !== undefined)}`
        : `${dagId}  (no runs yet)`;
      const tree = renderTree(dag, run?.tasks, { color: context.color, lost: run?.lost?.tasks });
      context.stdout.write(`${header}\n${tree}\n${renderLegend(context.color)}\n`);
    });
}
