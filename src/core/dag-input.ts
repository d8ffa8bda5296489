import type { TaskKind, TaskRole } from "./dag.js";
import type { DagSettingsInput } from "./dag-settings.js";

/** A task as the loader found it; `upstream`/`downstream` hold task ids as the author wrote them. */
export interface TaskInput {
  id: unknown;
  kind: TaskKind;
  /** Default "plain". */
  role?: TaskRole;
  upstream: unknown[];
  downstream: unknown[];
  options: Record<string, unknown>;
}

/** A DAG as the loader found it: nothing checked yet. */
export interface DagInput extends DagSettingsInput {
  file: string;
  id: unknown;
  defaults?: unknown;
  tasks: TaskInput[];
}
