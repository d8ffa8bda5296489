// The incremental example of "Data Pipelines with Apache Airflow", chapter 3: each daily run
// fetches only the events of its own data interval and computes per-user statistics for that day.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bash, chain, dag, fn } from "flow";
import { writeFileAtomic } from "./lib/files.js";
import { parseEvents, statsPerUser, toCsv } from "./lib/stats.js";

// Settings come from the environment; `||` treats an empty variable as unset.
const eventsUrl = process.env.USER_EVENTS_URL || "";
const dataDir = resolve(process.env.FLOW_DATA_DIR || "data/user_events");
const generator = fileURLToPath(new URL("lib/generate-events.mjs", import.meta.url));

// Ask the source for exactly this run's interval [start, end), never "everything so far": a
// rerun or backfill of a day then fetches that day again and nothing else. Without
// USER_EVENTS_URL a bundled deterministic generator stands in for the API.
const download = eventsUrl
  ? 'curl -sSfLG "$USER_EVENTS_URL" --data-urlencode "start_date=$FLOW_DATA_INTERVAL_START" --data-urlencode "end_date=$FLOW_DATA_INTERVAL_END"'
  : 'node "$EVENTS_GENERATOR" "$FLOW_DATA_INTERVAL_START" "$FLOW_DATA_INTERVAL_END"';

const fetchEvents = bash(
  "fetch_events",
  // Download to a temp file, then rename: a failed download never leaves half a file behind
  // for calculate_stats to trust.
  `set -eu
  mkdir -p "$DATA_DIR/events"
  tmp="$DATA_DIR/events/.$FLOW_DS.json.$$"
  trap 'rm -f "$tmp"' EXIT
  ${download} > "$tmp"
  mv "$tmp" "$DATA_DIR/events/$FLOW_DS.json"`,
  // Safe to retry: the same interval always produces the same file.
  { env: { DATA_DIR: dataDir, EVENTS_GENERATOR: generator }, retries: 2, retryDelay: "1m" },
);

const calculateStats = fn("calculate_stats", async (ctx) => {
  const events = parseEvents(await readFile(join(dataDir, "events", `${ctx.ds}.json`), "utf8"));
  if (events.length === 0) {
    ctx.log.warn(`no events in [${ctx.dataIntervalStart}, ${ctx.dataIntervalEnd})`);
  }
  const stats = statsPerUser(events);
  const csvPath = join(dataDir, "stats", `${ctx.ds}.csv`);
  await writeFileAtomic(csvPath, toCsv(ctx.ds, stats));
  ctx.log.info(`${events.length} events of ${stats.length} users -> ${csvPath}`);
  return { users: stats.length, events: events.length };
});

chain(fetchEvents, calculateStats);

export default dag({
  id: "user_events",
  description:
    "Per-user statistics of website events, one day at a time (the Airflow book, chapter 3)",
  tags: ["example", "book", "incremental"],
  schedule: "@daily",
  start: "2026-01-01",
  // flow's default, spelled out: switching the schedule on runs the latest complete day only,
  // not one run per day since start. Filling in the past is an explicit `flow backfill`.
  catchup: false,
  tasks: [fetchEvents, calculateStats],
});
