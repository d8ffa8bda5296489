import { Command } from "commander";
import { FlowError, EXIT } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { findRun } from "../../ops/find-run.js";
import { loadAll } from "../../ops/load-dag.js";
import { toStatusJson } from "../output/status-json.js";
import { renderRunsTable, renderSummary } from "../render/summary.js";
import { listRunsRecovered } from "../recover-runs.js";
import { openStore } from "../../ops/open-store.js";

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
    .option("--limit <n>", "show the newest N runs", "20")
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
      const global = command.optsWithGlobals<GlobalOptions>();
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new FlowError(`--limit must be a whole number >= 1`, { exitCode: EXIT.usage });
      const store = await openStore(workspaceOf(context, global));
      const all = await listRunsRecovered(context, global, store, dagId);
      let runs = options.run === undefined ? all : [await findRun(store, dagId, options.run)];
      if (runs.length === 0) {
        // No runs: tell an unknown DAG from one that never ran.
        const pipelines = await loadAll(workspaceOf(context, global));
        if (!pipelines.dags.has(dagId)) {
          const known = [...pipelines.dags.keys()].sort().map((id) => `"${id}"`);
          throw new FlowError(`unknown dag "${dagId}" (known: ${known.join(", ") || "none"})`, {
            exitCode: EXIT.usage,
          });
        }
      }
      runs = runs.slice(-limit);
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
