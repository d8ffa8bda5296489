import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import { LockError, NotFoundError, RunExistsError } from "../errors.js";
import { automatedTwins } from "./automated-twins.js";
import type { RunRef } from "./run-refs.js";
import { sortRuns } from "./sort-runs.js";
import type { OwnerSighting, RunWriter, StateStore } from "./state-store.js";

// One stored run and whether a writer holds it.
interface Slot {
  run: DagRun;
  open: boolean;
}

/**
 * The file store's semantics without files, for fast runner and command tests: duplicate run
 * ids are refused and a run has one writer at a time. Runs go in and out as copies, so a
 * caller mutating what it got back cannot change what is stored (as with the file store).
 */
export class MemoryStateStore implements StateStore {
  private readonly dags = new Map<string, Map<string, Slot>>();

  constructor(readonly location = "memory") {}

  async listDagIds(): Promise<string[]> {
    return [...this.dags.keys()].sort();
  }

  async listRuns(dagId: string): Promise<DagRun[]> {
    const slots = this.dags.get(dagId)?.values() ?? [];
    return sortRuns([...slots].map((slot) => structuredClone(slot.run)));
  }

  async listRunRefs(dagId: string): Promise<RunRef[]> {
    const slots = this.dags.get(dagId)?.values() ?? [];
    return sortRuns([...slots].map((slot) => slot.run)).map(refOf);
  }

  // A run is owned while a writer has it open, as a live process holds the file lock.
  async hasLiveOwner(dagId: string, runId: string): Promise<boolean> {
    return this.dags.get(dagId)?.get(runId)?.open ?? false;
  }

  // No lock dir nor journal to date the owner's last sign of life by.
  async inspectOwner(dagId: string, runId: string): Promise<OwnerSighting> {
    return { live: await this.hasLiveOwner(dagId, runId) };
  }

  async getRun(dagId: string, runId: string): Promise<DagRun | undefined> {
    const slot = this.dags.get(dagId)?.get(runId);
    return slot === undefined ? undefined : structuredClone(slot.run);
  }

  async createRun(run: DagRun): Promise<void> {
    const runs = this.dags.get(run.dag_id) ?? new Map<string, Slot>();
    if (runs.has(run.run_id)) {
      throw new RunExistsError(
        `run "${run.run_id}" of dag "${run.dag_id}" already exists`,
        run.run_id,
      );
    }
    const twin = automatedTwins(run).find((runId) => runs.has(runId));
    if (twin !== undefined) {
      throw new RunExistsError(
        `dag "${run.dag_id}" already has run "${twin}" for the logical date of "${run.run_id}"`,
        twin,
      );
    }
    runs.set(run.run_id, { run: structuredClone(run), open: false });
    this.dags.set(run.dag_id, runs);
  }

  async createAndOpenRun(run: DagRun): Promise<RunWriter> {
    await this.createRun(run);
    return this.openRun(run.dag_id, run.run_id);
  }

  async openRun(dagId: string, runId: string): Promise<RunWriter> {
    const runs = this.dags.get(dagId);
    const slot = runs?.get(runId);
    if (slot === undefined) {
      throw new NotFoundError("run", runId, [...(runs?.keys() ?? [])].sort(), {
        where: `dag "${dagId}"`,
      });
    }
    if (slot.open) {
      const pid = slot.run.owner === null ? "" : ` (pid ${slot.run.owner.pid})`;
      throw new LockError(
        `run "${runId}" of dag "${dagId}" is being run by another flow process${pid}`,
      );
    }
    slot.open = true;
    return new MemoryRunWriter(slot);
  }

  logPath(dagId: string, runId: string, taskId: string, tryNumber: number): string {
    return `${this.location}/logs/${dagId}/${runId}/${taskId}.${tryNumber}.log`;
  }

  existingLogPath(dagId: string, runId: string, taskId: string, tryNumber: number): string {
    return this.logPath(dagId, runId, taskId, tryNumber);
  }

  runLogPath(dagId: string, runId: string): string {
    return `${this.location}/logs/${dagId}/${runId}/run.log`;
  }
}

function refOf(run: DagRun): RunRef {
  return { run_id: run.run_id, run_type: run.run_type, logical_date: run.logical_date };
}

// Writes straight into the slot: in memory every save is "durable" the moment it returns.
class MemoryRunWriter implements RunWriter {
  readonly run: DagRun;
  private closed = false;

  constructor(private readonly slot: Slot) {
    this.run = structuredClone(slot.run);
  }

  saveTask(instance: TaskInstance): void {
    this.assertOpen();
    const run = this.slot.run;
    this.slot.run = {
      ...run,
      tasks: { ...run.tasks, [instance.task_id]: structuredClone(instance) },
    };
  }

  saveRun(fields: RunFields): void {
    this.assertOpen();
    const { tasks: _tasks, ...own } = fields as RunFields & { tasks?: unknown };
    this.slot.run = { ...structuredClone(own), tasks: this.slot.run.tasks };
  }

  // Nothing to batch in memory: saves stay immediate.
  deferSaves(): void {}

  flush(): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.slot.open = false;
  }

  // Saving after close() is a bug in the caller, as with the file store.
  private assertOpen(): void {
    if (this.closed) throw new Error(`bug: save to run "${this.run.run_id}" after close()`);
  }
}
