// The pipelines the browser tests run, inline as in the e2e tests (STYLE.md: the source next to
// the assertions that depend on it).

/**
 * extract -> transform -> load, report (all_done) after transform, and audit on its own. transform
 * fails until the file `ok` exists; every task appends its id to executions.log, so a test can
 * count what ran again after a clear.
 */
export const ETL = `
import { appendFileSync } from "node:fs";
import { dag, bash, fn } from "flow";

const note = (id: string) => appendFileSync("executions.log", id + "\\n");
const extract = fn("extract", async () => {
  note("extract");
  return { rows: 42 };
});
const transform = bash(
  "transform",
  'echo transform >> executions.log; echo "transform try $FLOW_TRY_NUMBER"; test -f ok || exit 1',
  { upstream: [extract] },
);
const load = fn("load", async () => note("load"), { upstream: [transform] });
const report = bash("report", "echo report >> executions.log", {
  upstream: [transform],
  triggerRule: "all_done",
});
const audit = bash("audit", "echo audit >> executions.log");

export default dag({
  id: "etl",
  description: "Extract, transform, load (transform fails until ./ok exists)",
  tags: ["example", "browser"],
  tasks: [extract, transform, load, report, audit],
});
`;

/**
 * A daily DAG, for pages of runs made by a backfill: fetch -> clean -> load -> summary, and load
 * fails on the days that end in 0 or 5 ($FLOW_DS is the logical date), so the grid has colour.
 */
export const DAILY = `
import { dag, bash } from "flow";

const fetch = bash("fetch", "echo fetch $FLOW_DS");
const clean = bash("clean", "echo clean", { upstream: [fetch] });
const load = bash("load", 'case "$FLOW_DS" in *0|*5) echo "no rows"; exit 1;; esac', {
  upstream: [clean],
});
const summary = bash("summary", "echo summary", { upstream: [load] });
export default dag({
  id: "daily",
  description: "A daily load (fails on days ending in 0 or 5)",
  schedule: "@daily",
  start: "2026-01-01",
  tags: ["daily"],
  tasks: [fetch, clean, load, summary],
});
`;

/** A task that prints a line, waits for the file `go`, then prints a second line. */
export const SLOW = `
import { dag, bash } from "flow";

const wait = bash(
  "wait",
  'echo "first line"; while [ ! -f go ]; do sleep 0.1; done; echo "second line"',
);
const after = bash("after", "echo after", { upstream: [wait] });
export default dag({ id: "slow", tasks: [wait, after] });
`;

/** A pipeline file that fails to import: the DAGs page lists it with its message. */
export const BROKEN = `
throw new Error("the broken pipeline cannot load");
`;

/** A task whose log is 400 KiB of x, then "the end": the log page opens on its tail. */
export const BIG_LOG = `
import { dag, bash } from "flow";

export default dag({
  id: "big_log",
  tasks: [bash("shout", "head -c 409600 /dev/zero | tr '\\\\0' x; echo; echo the end")],
});
`;
