import type { Dag } from "./dag.js";
import type { TaskInstance } from "./run.js";
import { copyTaskTable, instanceIn } from "./task-table.js";
import { UpstreamTally } from "./upstream-tally.js";

/**
 * A run's task instances by task id, changed in place one task at a time (copyTaskTable), with
 * the trigger rules' counts of them (UpstreamTally) kept in step: what a run's engine settles
 * from. Change `tasks` only through set().
 */
export class RunTable {
  readonly tasks: Record<string, TaskInstance>;
  readonly tally: UpstreamTally;

  constructor(dag: Dag, tasks: Readonly<Record<string, TaskInstance>>) {
    this.tasks = copyTaskTable(tasks);
    this.tally = new UpstreamTally(dag, this.tasks);
  }

  /** Makes `instance` its task's instance. */
  set(instance: TaskInstance): void {
    const id = instance.task_id;
    this.tally.change(id, instanceIn(this.tasks, id)?.state, instance.state);
    this.tasks[id] = instance;
  }
}
