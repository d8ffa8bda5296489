import type { RunEvent } from "../core/run-event.js";
import type { RunWriter } from "./state-store.js";

/** Writes what a core event changes to the run `writer` holds: each task in order, then the run. */
export function writeRunEvent(writer: RunWriter, event: Pick<RunEvent, "tasks" | "run">): void {
  for (const instance of event.tasks) writer.saveTask(instance);
  if (event.run !== null) writer.saveRun(event.run);
}
