import { apiPath } from "../api.js";
import { DagNav } from "../dag-nav.js";
import { isActive } from "../format.js";
import { Link } from "../link.js";
import { href } from "../route.js";
import { StateBadge } from "../state-badge.js";
import { useLogFollower } from "./log-follower.js";
import { RawLogLink } from "./raw-log-link.js";

/** One try's log, following live while the task runs; says so when there is no log yet. */
export function LogPage(props: {
  readonly dag: string;
  readonly run: string;
  readonly task: string;
  readonly tryNumber: number | null;
}) {
  const log = useLogFollower(props.dag, props.run, props.task, props.tryNumber);
  const tries = Array.from({ length: log.tries }, (_, i) => i + 1);
  const rawQuery = log.tryNumber !== null ? `?try=${log.tryNumber}` : "";
  return (
    <section>
      <DagNav dag={props.dag} tab="log" />
      <h2>
        <Link href={href.run(props.dag, props.run)}>{props.run}</Link> / {props.task}{" "}
        <StateBadge state={log.state} />
      </h2>
      <p class="tries">
        {tries.length > 0 ? "Try: " : ""}
        {tries.map((n) => (
          <Link
            key={n}
            href={href.log(props.dag, props.run, props.task, n)}
            class={n === log.tryNumber ? "try current" : "try"}
          >
            {n}
          </Link>
        ))}
        {log.tryNumber !== null && (
          <RawLogLink
            path={
              apiPath("dags", props.dag, "runs", props.run, "tasks", props.task, "log", "raw") +
              rawQuery
            }
          />
        )}
        {isActive(log.state) && <span class="following"> following live…</span>}
      </p>
      {log.exists === null && <p class="loading">Loading the log…</p>}
      {log.exists === false && (
        <p class="no-log">
          {log.state === "none" || log.state === "scheduled" || log.state === "queued"
            ? "No log yet: the task has not started."
            : "No log yet."}
        </p>
      )}
      {log.skipped > 0 && (
        <p class="log-skipped muted">
          The first {Math.round(log.skipped / 1024)} KiB are not shown: open the raw log for all of
          it.
        </p>
      )}
      <pre id="log" data-offset={log.offset} data-state={log.state ?? ""}>
        {log.text}
      </pre>
    </section>
  );
}
