import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import type { LockOwner } from "./lock-owner.js";
import type { RunRef } from "./run-refs.js";

/** Version of the on-disk layout; bump it with a migration when the format changes. */
export const STATE_VERSION = 1;

/**
 * What reading the state needs, and all a read-only open of a state dir offers: listing and
 * reading never write a file nor take a lock, so they work on a state dir the user cannot write.
 */
export interface StateReader {
  /** The state dir (file store) or a label (memory store). */
  readonly location: string;
  /** DAG ids that have at least one run, sorted. */
  listDagIds(): Promise<string[]>;
  /** Every run of the DAG, oldest logical date first (ties by run id). */
  listRuns(dagId: string): Promise<DagRun[]>;
  /**
   * The DAG's runs as refs, in listRuns' order, without reading the runs (the file store reads
   * only a run whose id does not spell out its logical date): what a page of runs starts from.
   */
  listRunRefs(dagId: string): Promise<RunRef[]>;
  getRun(dagId: string, runId: string): Promise<DagRun | undefined>;
  /**
   * Whether a live process owns the run (holds its lock and keeps it fresh): a run that says
   * running without one was left by a process that died. The same rule openRun applies.
   */
  hasLiveOwner(dagId: string, runId: string): Promise<boolean>;
  /** hasLiveOwner, with who the run's lock names and when its owner was last seen alive. */
  inspectOwner(dagId: string, runId: string): Promise<OwnerSighting>;
  /** Path of the log file of one try: `<state>/logs/<dag>/<run>/<task>.<try>.log`. */
  logPath(dagId: string, runId: string, taskId: string, tryNumber: number): string;
  /**
   * logPath, or where earlier builds of flow wrote that try's log (`<task>/<try>.log`) when only
   * that file exists: what reading a log asks for.
   */
  existingLogPath(dagId: string, runId: string, taskId: string, tryNumber: number): string;
  /** Path of the run's own log (DAG callbacks): `<state>/logs/<dag>/<run>/run.log`. */
  runLogPath(dagId: string, runId: string): string;
}

/** What a reader can tell, without a lock, of the process that executes (or executed) a run. */
export interface OwnerSighting {
  /** hasLiveOwner's answer. */
  readonly live: boolean;
  /** Who holds the run's lock, as its owner file names it; undefined when none does. */
  readonly owner?: LockOwner;
  /**
   * The last moment the owner is known to have been alive: the later of the lock dir's mtime
   * (refreshed every few seconds while it lives) and the journal's (its last recorded change).
   * Undefined when neither exists.
   */
  readonly lastSeen?: Date;
}

/**
 * Where runs and task instances live. The runner and the commands depend on this interface only:
 * tests pass the memory store, the CLI passes the file store.
 */
export interface StateStore extends StateReader {
  /** Stores a new run; throws StateFileError when a run with that id exists. */
  createRun(run: DagRun): Promise<void>;
  /**
   * createRun, then openRun of the new run, without reading back what was just written: the
   * run is locked before it becomes visible, so no other process can change it in between.
   */
  createAndOpenRun(run: DagRun): Promise<RunWriter>;
  /**
   * Takes exclusive ownership of a run, for executing or changing it, until `close()`. Throws
   * LockError when another live process owns it. Reads the run under the lock.
   */
  openRun(dagId: string, runId: string): Promise<RunWriter>;
}

/**
 * Writes to one run while its owner holds it. Each save is durable when it returns (a crash of
 * this process after it cannot lose it) and costs the same whatever the size of the history,
 * unless the owner called deferSaves(): saves are then durable once flush() returns.
 */
export interface RunWriter {
  /** The run as read when it was opened. */
  readonly run: DagRun;
  /**
   * What was seen of the run's previous owner just before this writer took its lock (inspectOwner),
   * so that a writer recovering a dead owner's tries ends them when readers showed them ending
   * (core recoveryLostAt): taking the lock over replaces the dir whose mtime readers went by.
   * Undefined where the store keeps no lock to look at (memory) and for a run created by this open.
   */
  readonly previousOwner?: OwnerSighting;
  saveTask(instance: TaskInstance): void;
  saveRun(fields: RunFields): void;
  /**
   * From now on saves wait in memory until flush() (or close()) writes them all at once: one
   * write for the many changes of a turn. The caller flushes before anything acts on them.
   */
  deferSaves(): void;
  /** Makes the saves deferred so far durable (one write); nothing to do when none wait. */
  flush(): void;
  /** Writes what waits, then a compact snapshot, and gives the run up. */
  close(): Promise<void>;
}
