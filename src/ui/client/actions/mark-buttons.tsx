import { useState } from "preact/hooks";
import { apiPath, postJson } from "../api.js";
import { useAction } from "./use-action.js";

interface MarkAnswer {
  readonly changed: readonly { task_id: string; was: string; now: string }[];
  readonly run_state: string;
}

/** Mark success / mark failed for one task instance (flow mark), with the CLI's up/downstream. */
export function MarkButtons(props: {
  readonly dag: string;
  readonly run: string;
  readonly task: string;
  readonly onDone?: () => void;
}) {
  const { busy, run } = useAction();
  const [downstream, setDownstream] = useState(false);
  const [upstream, setUpstream] = useState(false);
  const mark = (state: "success" | "failed") =>
    run(
      () =>
        postJson<MarkAnswer>(apiPath("dags", props.dag, "runs", props.run, "mark"), {
          task: props.task,
          state,
          upstream,
          downstream,
        }),
      (answer) => {
        props.onDone?.();
        const changed = answer.changed.map((c) => `${c.task_id} ${c.was} → ${c.now}`).join(", ");
        return `Marked ${state}: ${changed || "nothing changed"}; the run is ${answer.run_state}.`;
      },
    );
  return (
    <div class="mark">
      <button type="button" id="mark-success" disabled={busy} onClick={() => mark("success")}>
        Mark success
      </button>
      <button type="button" id="mark-failed" disabled={busy} onClick={() => mark("failed")}>
        Mark failed
      </button>
      <label>
        <input
          type="checkbox"
          checked={upstream}
          onChange={(e) => setUpstream(e.currentTarget.checked)}
        />
        upstream
      </label>
      <label>
        <input
          type="checkbox"
          checked={downstream}
          onChange={(e) => setDownstream(e.currentTarget.checked)}
        />
        downstream
      </label>
    </div>
  );
}
