import type { Task } from "../api/definitions.js";
import { PipelineError } from "../errors.js";
import type { TaskReference, TaskResolver } from "../executors/executor.js";
import type { PipelineSet } from "./load-pipelines.js";

/**
 * Resolves task references against pipelines this process has loaded. A worker in another
 * process would resolve the same reference by loading `ref.file` itself.
 */
export class LoadedTaskResolver implements TaskResolver {
  constructor(private readonly pipelines: PipelineSet) {}

  resolve(ref: TaskReference): Task {
    const task = this.pipelines.dags.get(ref.dagId)?.tasks.get(ref.taskId);
    if (!task)
      throw new PipelineError(`task "${ref.taskId}" of dag "${ref.dagId}" is not in ${ref.file}`);
    return task;
  }
}
