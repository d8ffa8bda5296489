import { formatDuration, formatTime, formatTries } from "../format.js";
import { Link } from "../link.js";
import { href } from "../route.js";
import { StateBadge } from "../state-badge.js";
import type { TaskJson } from "../types.js";
import { ClearPanel } from "./clear-panel.js";
import { MarkButtons } from "./mark-buttons.js";

/** The details of one task instance and what can be done to it: log, durations, mark, clear. */
export function TaskPanel(props: {
  readonly dag: string;
  readonly run: string;
  readonly task: string;
  readonly instance: TaskJson | undefined;
  readonly onDone?: () => void;
  readonly onClose: () => void;
}) {
  const ti = props.instance;
  return (
    <aside class="task-panel" data-task={props.task} data-run={props.run}>
      <header>
        <h2>
          {props.task} <StateBadge state={ti?.state} />
        </h2>
        <button type="button" class="dismiss" onClick={props.onClose} title="Close">
          ×
        </button>
      </header>
      <p class="run-link">
        <Link href={href.run(props.dag, props.run)}>{props.run}</Link>
      </p>
      <dl>
        {ti && (
          <>
            <dt>Try</dt>
            <dd>{formatTries(ti)}</dd>
            <dt>Start</dt>
            <dd>{formatTime(ti.start) || "not started"}</dd>
            <dt>End</dt>
            <dd>{formatTime(ti.end)}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(ti.duration_ms)}</dd>
            {ti.exit_code !== null && (
              <>
                <dt>Exit code</dt>
                <dd>{ti.exit_code}</dd>
              </>
            )}
            {ti.next_try_at && (
              <>
                <dt>Next try</dt>
                <dd>{formatTime(ti.next_try_at)}</dd>
              </>
            )}
            {ti.reason && (
              <>
                <dt>Reason</dt>
                <dd class="reason">{ti.reason}</dd>
              </>
            )}
          </>
        )}
      </dl>
      <p class="links">
        <Link href={href.log(props.dag, props.run, props.task)}>Log</Link>{" "}
        <Link href={href.durations(props.dag, props.task)}>Durations</Link>
      </p>
      <MarkButtons dag={props.dag} run={props.run} task={props.task} onDone={props.onDone} />
      <ClearPanel
        key={`${props.run} ${props.task}`}
        dag={props.dag}
        run={props.run}
        task={props.task}
        onDone={props.onDone}
      />
    </aside>
  );
}
