import { Command } from "commander";
import { lastAutomatedInterval, timetableOf } from "../../core/dag-timetable.js";
import { formatDuration } from "../../core/duration.js";
import { upcomingRuns } from "../../core/timetable-next-run.js";
import { formatInZone } from "../../core/timetable-zone.js";
import { FlowError, EXIT } from "../../errors.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "../context.js";
import { loadDag } from "../../ops/load-dag.js";
import { parsePositiveInt } from "../parse.js";
import { makeTable } from "../render/table.js";
import { openStore } from "../../ops/open-store.js";

/** `flow next <dag>`: when the schedule will create the next runs, and for which intervals. */
export function makeNextCommand(context: CliContext): Command {
  return new Command("next")
    .description(
      "show the next runs the schedule will create: logical date, data interval, when each is due",
    )
    .argument("<dag>", "DAG id")
    .option("-n, --count <n>", "how many runs", "5")
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
      const global = command.optsWithGlobals<GlobalOptions>();
      const count = parsePositiveInt("--count", options.count);
      const { loaded } = await loadDag(workspaceOf(context, global), dagId);
      const { dag } = loaded;
      const timetable = timetableOf(dag);
      if (timetable === null) {
        throw new FlowError(
          `dag "${dagId}" has no schedule: it runs only when triggered (flow run ${dagId})`,
          {
            exitCode: EXIT.usage,
          },
        );
      }
      const store = await openStore(workspaceOf(context, global));
      const now = context.now();
      const runs = upcomingRuns(timetable, {
        lastAutomatedInterval: lastAutomatedInterval(await store.listRuns(dagId)),
        earliest: dag.start === undefined ? null : new Date(dag.start),
        latest: dag.end === undefined ? null : new Date(dag.end),
        catchup: dag.catchup,
        now,
        count,
      });
      const zone = dag.timezone;
      if (options.json) {
        const json = {
          dag_id: dagId,
          schedule: dag.schedule,
          timezone: zone,
          catchup: dag.catchup,
          now: now.toISOString(),
          runs: runs.map((run) => ({
            logical_date: run.interval.start.toISOString(),
            data_interval_start: run.interval.start.toISOString(),
            data_interval_end: run.interval.end.toISOString(),
            due_at: run.runAfter.toISOString(),
            due_at_local: formatInZone(run.runAfter, zone),
            due: run.runAfter <= now,
          })),
        };
        context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const local = zone !== "UTC";
      const table = makeTable(
        [
          "logical date (UTC)",
          "data interval (UTC)",
          "due at (UTC)",
          ...(local ? [`due at (${zone})`] : []),
          "when",
        ],
        { color: context.color },
      );
      for (const run of runs) {
        const wait = run.runAfter.getTime() - now.getTime();
        table.push([
          short(run.interval.start),
          `${short(run.interval.start)} → ${short(run.interval.end)}`,
          short(run.runAfter),
          ...(local ? [formatInZone(run.runAfter, zone)] : []),
          wait <= 0 ? "due now" : `in ${formatDuration(wait)}`,
        ]);
      }
      const catchup = dag.catchup ? "catchup on" : "catchup off";
      context.stdout.write(
        `${dagId}  ${dag.schedule}  (${zone}, ${catchup}; now ${now.toISOString()})\n`,
      );
      context.stdout.write(
        runs.length === 0 ? "no more runs: the schedule has ended\n" : `${table.toString()}\n`,
      );
    });
}

// `2026-01-03 00:00` (UTC, to the minute; seconds only when set): the table header names the zone.
function short(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, iso.slice(17, 19) === "00" ? 16 : 19)}`;
}
