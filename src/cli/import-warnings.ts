import type { PipelineSet } from "../loader/load-pipelines.js";
import type { CliContext } from "./context.js";

/** Warns on stderr about pipeline files that failed to import, without stopping the command. */
export function warnImportErrors(context: CliContext, pipelines: PipelineSet): void {
  for (const error of pipelines.errors) {
    context.stderr.write(`flow: warning: import error: ${error.messages[0]}\n`);
  }
}
