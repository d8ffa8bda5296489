import { apiPath, postJson } from "../api.js";
import { useAction } from "./use-action.js";

interface RetryAnswer {
  readonly run_id: string;
  readonly cleared: readonly { task_id: string; state: string }[];
}

/** Retry from failure (flow retry): clears the failed tasks and their downstream, then runs them. */
export function RetryButton(props: { readonly dag: string; readonly run: string }) {
  const { busy, run } = useAction();
  const retry = () =>
    run(
      () => postJson<RetryAnswer>(apiPath("dags", props.dag, "runs", props.run, "retry"), {}),
      (answer) =>
        `Retrying ${answer.run_id}: cleared ${answer.cleared.map((c) => c.task_id).join(", ") || "nothing"}.`,
    );
  return (
    <button type="button" id="retry" disabled={busy} onClick={retry}>
      Retry from failure
    </button>
  );
}
