import { createHash } from "node:crypto";

/**
 * The id of the job for one try: derived from (state dir, dag, run, task, try) and the run's
 * incarnation (when it was queued), so that adding the same try again (a driver restarted before
 * it recorded the job) finds the job that exists, while a run made again under the same id (its
 * state dir reset) never meets an old job. BullMQ refuses `:` in ids and all-digit ids: the id is
 * `t<try>-<hex>` with a readable tail of the task id, characters outside [A-Za-z0-9_.-] dropped.
 */
export function jobIdFor(parts: {
  readonly stateDir: string;
  readonly dagId: string;
  readonly runId: string;
  readonly incarnation: string;
  readonly taskId: string;
  readonly tryNumber: number;
}): string {
  const digest = createHash("sha256")
    .update(
      JSON.stringify([
        parts.stateDir,
        parts.dagId,
        parts.runId,
        parts.incarnation,
        parts.taskId,
        parts.tryNumber,
      ]),
    )
    .digest("hex")
    .slice(0, 24);
  const readable = `${parts.dagId}.${parts.taskId}`.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 60);
  return `${readable}.t${parts.tryNumber}-${digest}`;
}
