import type { Dag } from "./dag.js";
import type { RunFields, TaskInstance } from "./run.js";
import type { RunEvent } from "./run-event.js";
import { isRequeueHalt, type RunHalt } from "./run-halt.js";
import { decideRunOutcome } from "./run-outcome.js";
import { finishRun, requeueRun } from "./transitions.js";

/**
 * The event "the runner has nothing left to do for `run`" (no try running, none ready, no retry
 * waiting) at `at`, given its task table `tasks`. A run the user stopped (`halt` draining or
 * interrupted) goes back to queued, reason "interrupted", so that running it again resumes it.
 * Otherwise it ends by decideRunOutcome: success, or failed (by the leaf rule, deadlocked on
 * unfinished tasks, or on `blockedByPast`, the tasks the run gave up on, see decidePastStall).
 * Only `run` changes; no task does.
 */
export function endRun(
  dag: Dag,
  run: RunFields,
  tasks: Readonly<Record<string, TaskInstance>>,
  end: { readonly at: Date; readonly halt?: RunHalt; readonly blockedByPast?: readonly string[] },
): RunEvent {
  let next: RunFields;
  if (isRequeueHalt(end.halt)) next = requeueRun(run, "interrupted");
  else {
    const outcome = decideRunOutcome(dag, tasks, {
      ready: 0,
      running: 0,
      waitingForRetry: 0,
      blockedByPast: end.blockedByPast ?? [],
    });
    const state = outcome.state === "success" ? "success" : "failed";
    next = finishRun(run, end.at, state, outcome.state === "failed" ? outcome.reason : null);
  }
  return { tasks: [], run: next, ready: [], retries: [] };
}
