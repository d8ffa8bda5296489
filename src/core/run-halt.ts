/**
 * Why a run is stopping before its end. The runner holds it; the core reads it to decide what a
 * try that ends meanwhile becomes, and what the run's end is.
 * - draining: a graceful stop. Nothing new starts; running tries go on to their end and are
 *   recorded as usual; the run then goes back to queued.
 * - interrupted: the user stopped the run. Running tries are stopped; one that fails because of
 *   it is interrupted (back to none, its try not spent); the run then goes back to queued.
 * - fail_fast: task `failed` failed in a failFast DAG. Running tries are stopped and fail without
 *   retry; the run then ends by the leaf rule.
 */
export type RunHalt =
  | { readonly kind: "draining" }
  | { readonly kind: "interrupted" }
  | { readonly kind: "fail_fast"; readonly failed: string };

/** Whether the run goes back to queued when it ends (the user stopped it), not to an end state. */
export function isRequeueHalt(halt: RunHalt | undefined): boolean {
  return halt?.kind === "draining" || halt?.kind === "interrupted";
}
