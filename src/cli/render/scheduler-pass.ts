import type { SchedulerPassResult } from "../../ops/scheduler-pass.js";

/** `pass done: 2 created; 2 executed: 1 success, 1 failed`, the last line of `--once`. */
export function renderPassDone(pass: SchedulerPassResult): string {
  const parts = [
    `${pass.created} created`,
    `${pass.finished.length} executed: ${pass.succeeded} success, ${pass.failed} failed`,
    ...(pass.stopped > 0 ? [`${pass.stopped} stopped`] : []),
    ...(pass.skipped > 0 ? [`${pass.skipped} skipped (another flow process had them)`] : []),
  ];
  return `pass done: ${parts.join("; ")}`;
}
