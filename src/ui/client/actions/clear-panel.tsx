import { useState } from "preact/hooks";
import { apiPath, postJson } from "../api.js";
import { formatTries } from "../format.js";
import { StateBadge } from "../state-badge.js";
import type { ClearBody, ClearInstanceJson, ClearPreviewJson } from "../types.js";
import { useAction } from "./use-action.js";

interface ClearAnswer {
  readonly instances: readonly ClearInstanceJson[];
  readonly runs: readonly string[];
}

/**
 * Clear with the CLI's selectors, in two steps: the preview lists exactly the task instances that
 * change, and apply sends the preview's fingerprint so the server refuses (409) a plan that
 * changed in between. Downstream is off by default, unlike Airflow's dialog (apache/airflow#53066).
 */
export function ClearPanel(props: {
  readonly dag: string;
  readonly run?: string | undefined;
  readonly task?: string | undefined;
  readonly onDone?: () => void;
}) {
  const [selectors, setSelectors] = useState<ClearBody>({
    ...(props.run ? { run_id: props.run } : {}),
    ...(props.task ? { task: `^${props.task.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$` } : {}),
    only_failed: false,
    downstream: false,
    upstream: false,
  });
  const [preview, setPreview] = useState<ClearPreviewJson | null>(null);
  const { busy, run } = useAction();

  // Any change of a selector voids the preview: apply must never act on a plan not shown.
  const change = (patch: Partial<ClearBody>) => {
    setSelectors((current) => ({ ...current, ...patch }));
    setPreview(null);
  };
  // What the page shows is what is sent: empty fields are left out, and a run hides the dates.
  const body = (): ClearBody =>
    Object.fromEntries(
      Object.entries(selectors).filter(
        ([key, value]) =>
          value !== "" &&
          value !== undefined &&
          !(selectors.run_id && (key === "start" || key === "end")),
      ),
    ) as ClearBody;

  const showPreview = () =>
    run(
      () => postJson<ClearPreviewJson>(apiPath("dags", props.dag, "clear", "preview"), body()),
      (answer) => {
        setPreview(answer);
        const n = answer.instances.length;
        return n === 0
          ? "Nothing matches: nothing to clear."
          : `${n} task instances would be cleared.`;
      },
    );
  const apply = (fingerprint: string) =>
    run(
      () => postJson<ClearAnswer>(apiPath("dags", props.dag, "clear"), { ...body(), fingerprint }),
      (answer) => {
        setPreview(null);
        props.onDone?.();
        return `Cleared ${answer.instances.length} task instances; running ${answer.runs.join(", ") || "nothing"}.`;
      },
    );

  const checkbox = (name: "only_failed" | "downstream" | "upstream", label: string) => (
    <label>
      <input
        type="checkbox"
        name={name}
        checked={selectors[name] === true}
        onChange={(e) => change({ [name]: e.currentTarget.checked })}
      />
      {label}
    </label>
  );

  return (
    <section class="clear-panel">
      <h3>Clear</h3>
      <div class="selectors">
        <label>
          Run
          <input
            name="run_id"
            placeholder="every run"
            value={selectors.run_id ?? ""}
            onInput={(e) => change({ run_id: e.currentTarget.value })}
          />
        </label>
        {!selectors.run_id && (
          <div class="date-range">
            <label>
              From
              <input
                name="start"
                type="date"
                value={selectors.start ?? ""}
                onInput={(e) => change({ start: e.currentTarget.value })}
              />
            </label>
            <label>
              to
              <input
                name="end"
                type="date"
                value={selectors.end ?? ""}
                onInput={(e) => change({ end: e.currentTarget.value })}
              />
            </label>
          </div>
        )}
        <label>
          Task regex
          <input
            name="task"
            placeholder="every task"
            value={selectors.task ?? ""}
            onInput={(e) => change({ task: e.currentTarget.value })}
          />
        </label>
        {checkbox("only_failed", "only failed")}
        {checkbox("upstream", "upstream")}
        {checkbox("downstream", "downstream")}
        <button type="button" id="clear-preview" disabled={busy} onClick={showPreview}>
          Preview clear
        </button>
      </div>
      {preview !== null && (
        <div class="clear-preview">
          <ul id="clear-plan">
            {preview.instances.map((ti) => (
              <li key={`${ti.run_id} ${ti.task_id}`} data-run={ti.run_id} data-task={ti.task_id}>
                <strong>{ti.task_id}</strong> <StateBadge state={ti.state} />{" "}
                <span class="muted">try {formatTries({ ...ti, interrupted_tries: 0 })}</span>{" "}
                <code class="run-id muted">{ti.run_id}</code>
              </li>
            ))}
          </ul>
          {preview.instances.length > 0 && (
            <button
              type="button"
              id="clear-apply"
              class="danger"
              disabled={busy}
              onClick={() => apply(preview.fingerprint)}
            >
              Clear these {preview.instances.length} and run them
            </button>
          )}
        </div>
      )}
    </section>
  );
}
