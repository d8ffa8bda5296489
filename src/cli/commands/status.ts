import { Command, Option } from "commander";
import type { DagRun } from "../../core/run.js";
import { FlowError, EXIT } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { readRun } from "../../ops/read-run.js";
import { runsPage } from "../../ops/runs-page.js";
import type { Workspace } from "../../ops/workspace.js";
import { toStatusJson } from "../output/status-json.js";
import { renderRunsTable, renderSummary } from "../render/summary.js";

interface StatusOptions {
  run?: string;
  limit: string;
  json?: boolean;
}

/** `flow status <dag>`: runs with their task states, from the state file alone. */
export function makeStatusCommand(context: CliContext): Command {
  return new Command("status")
    .description("show the runs of a DAG and the state of their tasks")
    .argument("<dag>", "DAG id")
    .option("--run <run_id>", "show only this run")
    .addOption(new Option("--limit <n>", "show the newest N runs").default("20", "20"))
    .option("--json", "print the documented JSON shape (README, flow status)")
    .addHelpText(
      "after",
      `
Examples:
  flow status user_events
  flow status user_events --run scheduled__2026-01-01T00:00:00+00:00
  flow status user_events --json | jq '.runs[-1].state'`,
    )
    .action(async (dagId: string, options: StatusOptions, command: Command) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new FlowError(`--limit must be a whole number >= 1`, { exitCode: EXIT.usage });
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      const runs =
        options.run === undefined
          ? await lastRuns(workspace, dagId, limit)
          : [await readRun(workspace, dagId, options.run)];
      if (options.json) {
        context.stdout.write(`${JSON.stringify(toStatusJson(dagId, runs), null, 2)}\n`);
        return;
      }
      if (runs.length === 0) {
        context.stdout.write(
          `dag "${dagId}" has no runs yet (start one with: flow run ${dagId})\n`,
        );
        return;
      }
      if (options.run === undefined)
        context.stdout.write(`${renderRunsTable(runs, context.color)}\n\n`);
      const shown = runs.at(-1)!;
      context.stdout.write(`${renderSummary(shown, context.color)}\n`);
    });
}

// The newest `limit` runs, oldest first as the table shows them (an unknown DAG: runsPage's error).
async function lastRuns(workspace: Workspace, dagId: string, limit: number): Promise<DagRun[]> {
  const page = await runsPage(workspace, dagId, { offset: 0, limit });
  return [...page.runs].reverse();
}
