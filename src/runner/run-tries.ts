import { mayLead } from "../core/chain-successor.js";
import type { TaskSpec } from "../core/dag.js";
import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import type { RunTable } from "../core/run-table.js";
import type { TaskOutcome } from "../executors/executor.js";
import type { ExecuteRunOptions } from "./execute-run-options.js";
import { FollowLanes, type Lane, type PlannedFollower } from "./follow-lanes.js";
import { RunInputs } from "./run-inputs.js";
import type { SaveQueue } from "./save-queue.js";
import { launchTry, startedInstance } from "./try-start.js";

/** What RunTries needs of the run it starts tries for (RunExecution). */
export interface TryHost {
  readonly options: ExecuteRunOptions;
  readonly table: RunTable;
  readonly saves: SaveQueue;
  readonly signal: AbortSignal;
  fields(): RunFields;
  view(): DagRun;
  save(instance: TaskInstance, later?: boolean): void;
  /** A try's outcome, once (a not_started follower's too). */
  ended(spec: TaskSpec, outcome: TaskOutcome): void;
  /** Whether tries may still be dispatched ahead (the run neither halts nor is done). */
  open(): boolean;
  /** Tasks dependsOnPast holds now; a try starting makes the previous run's state stale. */
  held(): ReadonlySet<string>;
  started(): void;
}

/**
 * Starts one run's tries: records each (running, or queued when it is to follow another), then
 * hands it to its executor once that is durable, and keeps the results and context fields every
 * try is given. Dispatches chains' next bash tries ahead (FollowLanes) when the executor can.
 */
export class RunTries {
  readonly inputs = new RunInputs();
  readonly lanes = new FollowLanes();
  /** Tries recorded and not ended (followers waiting included). */
  running = 0;

  constructor(private readonly host: TryHost) {}

  // `taskId` starts, recorded as running; or, `planned` (a chain's next task: see FollowLanes),
  // it is handed to the spawner to start after another, recorded as queued. Either way it is
  // recorded before it can do anything: kill -9 never loses a try that ran.
  start(taskId: string, planned?: PlannedFollower): void {
    const { host } = this;
    const spec = host.options.loaded.dag.tasks.get(taskId)!;
    const at = host.options.clock();
    host.started();
    const current = host.table.tasks[taskId]!;
    const started = startedInstance(host.options, spec, current, at, host.fields(), !!planned);
    const { instance, logPath } = started;
    const lane = planned && this.lanes.follow(planned, current, host.signal);
    host.save(instance);
    this.running++;
    host.saves.afterSaves(() => this.launch(spec, instance, logPath, at, lane));
  }

  /**
   * Chains' next bash tries, handed to the spawner to start as the ones before exit 0: after
   * every end (`leader` undefined: what it changed may give any running try one), or for a try
   * that has just started (nothing else changed).
   */
  dispatchAhead(leader?: string): void {
    const { host } = this;
    if (!this.lanes.leading || !host.open() || !host.options.executors.bash.follows) return;
    const options = { now: host.options.clock(), held: host.held(), ...(leader && { leader }) };
    for (const planned of this.lanes.plan(host.options.loaded.dag, host.table.tasks, options))
      this.start(planned.taskId, planned);
  }

  /** Hands the recorded try `instance` to its executor (a follower: after its leader). */
  launch(spec: TaskSpec, instance: TaskInstance, logPath: string, at: Date, lane?: Lane): void {
    const { host, inputs } = this;
    // A follower is news when it starts (launchTry's onStarted).
    if (!lane) host.options.observer?.taskStarted?.(instance, at);
    const base = inputs.contextBase(host.options.loaded.dag, host.view);
    const signal = lane?.signal ?? host.signal;
    const run = { base, results: inputs.results, logPath, signal, follow: lane?.follow };
    const execution = launchTry(host.options, spec, instance, run, {
      latest: () => host.table.tasks[spec.id]!,
      save: (next) => host.save(next),
      saveLater: (next) => host.save(next, true),
      // It may lead a follower now: once the end that came with its start is handled.
      followerStarted: () => setImmediate(() => this.dispatchAhead(spec.id)),
      ended: (outcome) => host.ended(spec, outcome),
      afterSaves: (then) => host.saves.afterSaves(then),
    });
    if (spec.kind !== "bash" || !mayLead(host.options.loaded.dag, spec.id, "bash")) return;
    this.lanes.launched(spec.id, execution);
    this.dispatchAhead(spec.id);
  }
}
