import type { Task } from "../api/definitions.js";
import type { TaskReference, TaskResolver } from "../executors/executor.js";
import type { PipelineSet } from "../loader/load-pipelines.js";
import { LoadedTaskResolver } from "../loader/module-resolver.js";

/**
 * Resolves tasks against the latest load of the pipelines, for a scheduler that reloads them
 * while runs execute: a task that starts after a reload runs its new definition (as Airflow runs
 * the latest parsed file). A task the new load no longer has (renamed, file broken) still
 * resolves from the load its run started with, so a run in flight can finish.
 */
export class ReloadingResolver implements TaskResolver {
  private generations: LoadedTaskResolver[] = [];

  constructor(pipelines: PipelineSet) {
    this.update(pipelines);
  }

  update(pipelines: PipelineSet): void {
    this.generations = [new LoadedTaskResolver(pipelines), ...this.generations.slice(0, 7)];
  }

  resolve(ref: TaskReference): Task {
    let first: unknown;
    for (const resolver of this.generations) {
      try {
        return resolver.resolve(ref);
      } catch (error) {
        first ??= error;
      }
    }
    throw first;
  }
}
