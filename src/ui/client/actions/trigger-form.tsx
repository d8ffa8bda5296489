import { useState } from "preact/hooks";
import { apiPath, postJson } from "../api.js";
import { showMessage } from "../message.js";
import { useAction } from "./use-action.js";

/** Trigger a run (flow run): an optional logical date and params as a JSON object. */
export function TriggerForm(props: { readonly dag: string }) {
  const [open, setOpen] = useState(false);
  const [date, setDate] = useState("");
  const [params, setParams] = useState("");
  const { busy, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    let parsed: unknown = undefined;
    if (params.trim() !== "") {
      try {
        parsed = JSON.parse(params);
      } catch (error) {
        showMessage({ kind: "error", text: `params is not JSON: ${(error as Error).message}` });
        return;
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        showMessage({ kind: "error", text: 'params must be a JSON object, e.g. {"region": "eu"}' });
        return;
      }
    }
    const body = {
      ...(date.trim() !== "" ? { date: date.trim() } : {}),
      ...(parsed !== undefined ? { params: parsed } : {}),
    };
    void run(
      () => postJson<{ run_id: string }>(apiPath("dags", props.dag, "runs"), body),
      (answer) => {
        setOpen(false);
        return `Triggered ${answer.run_id}.`;
      },
    );
  };

  return (
    <div class="trigger">
      <button type="button" id="trigger" onClick={() => setOpen(!open)} aria-expanded={open}>
        ▶ Trigger
      </button>
      {open && (
        <form id="trigger-form" onSubmit={submit}>
          <label>
            Logical date
            <input
              name="date"
              placeholder="YYYY-MM-DD (default: now)"
              value={date}
              onInput={(e) => setDate(e.currentTarget.value)}
            />
          </label>
          <label>
            Params (JSON object)
            <textarea
              name="params"
              rows={3}
              placeholder='{"region": "eu"}'
              value={params}
              onInput={(e) => setParams(e.currentTarget.value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Trigger run
          </button>
        </form>
      )}
    </div>
  );
}
