import type { Task } from "../api/definitions.js";
import { PipelineError } from "../errors.js";
import type { TaskReference, TaskResolver } from "../executors/executor.js";
import { discoverPipelineFiles } from "../loader/discover.js";
import { loadPipelines, type LoadOptions, type PipelineSet } from "../loader/load-pipelines.js";
import { hashFile } from "./pipeline-check.js";

interface Generation {
  readonly pipelines: PipelineSet;
  /** Content hash of each pipeline file as it was just before this load. */
  readonly hashes: ReadonlyMap<string, string | undefined>;
}

/**
 * The worker's pipelines, loaded on the first try and loaded again when a try names a file whose
 * content changed since (a deploy while the worker runs): each try runs the task as its file is
 * now, which the job's hash check has just compared with the driver's. Unchanged files keep
 * their module (the compile cache gives them the same URL), so a reload costs little.
 */
export class WorkerPipelines implements TaskResolver {
  private current: Generation | undefined;
  private loading: Promise<Generation> | undefined;

  constructor(
    private readonly dir: string,
    private readonly options: LoadOptions,
  ) {}

  async resolve(ref: TaskReference): Promise<Task> {
    const hash = await hashFile(ref.file);
    let generation = this.current;
    if (generation === undefined || generation.hashes.get(ref.file) !== hash)
      generation = await this.reload();
    const loaded = generation.pipelines.dags.get(ref.dagId);
    const task = loaded?.file === ref.file ? loaded.tasks.get(ref.taskId) : undefined;
    if (task) return task;
    const errors = generation.pipelines.errors.flatMap((error) => error.messages);
    const what =
      loaded?.file === ref.file
        ? `task "${ref.taskId}" is not in dag "${ref.dagId}" of ${ref.file}`
        : `dag "${ref.dagId}" is not in ${ref.file}`;
    throw new PipelineError(
      errors.length > 0 ? `${what} (import errors: ${errors.join("; ")})` : what,
    );
  }

  private reload(): Promise<Generation> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<Generation> {
    const files = discoverPipelineFiles(this.dir);
    const hashes = new Map(
      await Promise.all(files.map(async (file) => [file, await hashFile(file)] as const)),
    );
    const pipelines = await loadPipelines(this.dir, this.options);
    this.current = { pipelines, hashes };
    return this.current;
  }
}
