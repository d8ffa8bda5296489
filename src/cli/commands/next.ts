import { Command, Option } from "commander";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { nextRuns } from "../../ops/next-runs.js";
import { parsePositiveInt } from "../parse.js";
import { renderNextRuns, toNextRunsJson } from "../render/next-runs.js";

/** `flow next <dag>`: when the schedule will create the next runs, and for which intervals. */
export function makeNextCommand(context: CliContext): Command {
  return new Command("next")
    .description(
      "show the next runs the schedule will create: logical date, data interval, when each is due",
    )
    .argument("<dag>", "DAG id")
    .addOption(new Option("-n, --count <n>", "how many runs").default("5", "5"))
    .option("--json", "print JSON: {dag_id, schedule, timezone, catchup, now, runs: [...]}")
    .addHelpText(
      "after",
      `
Examples:
  flow next user_events
  flow next user_events -n 10
  FLOW_NOW=2026-01-04T06:00:00Z flow next user_events    # as the scheduler would see it then`,
    )
    .action(async (dagId: string, options: { count: string; json?: boolean }, command: Command) => {
      const count = parsePositiveInt("--count", options.count);
      const workspace = workspaceOf(context, command.optsWithGlobals<GlobalOptions>());
      const next = await nextRuns(workspace, dagId, count);
      context.stdout.write(
        options.json
          ? `${JSON.stringify(toNextRunsJson(next), null, 2)}\n`
          : renderNextRuns(next, context.color),
      );
    });
}
