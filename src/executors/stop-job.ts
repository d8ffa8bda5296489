import { listByEnvironment, readProcess } from "./process-table.js";
import { delay, listDescendants, terminateProcesses } from "./process-tree.js";

/**
 * Stops one try: every descendant of its wrapper shell gets SIGTERM, then SIGKILL after
 * `graceMs`; the wrapper itself stays to report the exit status. Tasks share the helper's
 * process group (dash has no job control without a tty), so the tree is found through parent
 * links. Repeats until the try has ended, which also covers a stop requested before the
 * wrapper forked its command. `rootIsTask` (the native spawner): `wrapperPid` is the task's own
 * process, with no wrapper around it, so it is stopped too; the spawner reports its status.
 */
export async function stopJob(
  wrapperPid: number,
  hasEnded: () => boolean,
  graceMs: number,
  marker?: { readonly name: string; readonly value: string },
  rootIsTask = false,
): Promise<void> {
  let grace = graceMs;
  const marked = (): ReturnType<typeof listDescendants> =>
    marker ? listByEnvironment(marker.name, marker.value) : [];
  while (!hasEnded()) {
    const root = rootIsTask ? readProcess(wrapperPid) : undefined;
    const found = [...(root && !root.zombie ? [root] : []), ...listDescendants(wrapperPid)];
    const byPid = new Map([...found, ...marked()].map((p) => [p.pid, p]));
    const processes = [...byPid.values()].filter((p) => rootIsTask || p.pid !== wrapperPid);
    if (processes.length > 0) {
      await terminateProcesses(processes, grace);
      grace = 0;
    }
    await delay(20);
  }
  // Children that left the tree (double-forked) outlive the wrapper: find them by their marker.
  const leftovers = marked();
  if (leftovers.length > 0) await terminateProcesses(leftovers, 0);
}
