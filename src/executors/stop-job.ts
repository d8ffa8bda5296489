import { delay, listDescendants, terminateProcesses } from "./process-tree.js";

/**
 * Stops one try: every descendant of its wrapper shell gets SIGTERM, then SIGKILL after
 * `graceMs`; the wrapper itself stays to report the exit status. Tasks share the helper's
 * process group (dash has no job control without a tty), so the tree is found through parent
 * links. Repeats until the try has ended, which also covers a stop requested before the
 * wrapper forked its command.
 */
export async function stopJob(
  wrapperPid: number,
  hasEnded: () => boolean,
  graceMs: number,
): Promise<void> {
  let grace = graceMs;
  while (!hasEnded()) {
    const processes = listDescendants(wrapperPid);
    if (processes.length > 0) {
      await terminateProcesses(processes, grace);
      grace = 0;
    }
    await delay(20);
  }
}
