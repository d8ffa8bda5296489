import type { TaskExecution, TaskOutcome } from "../executors/executor.js";

/** A try as it travels to a pool child: the execution without its signal. */
export type PlainExecution = Omit<TaskExecution, "signal" | "runtime">;

/** What the worker tells a pool child. */
export type ToChild =
  | { readonly type: "run"; readonly id: number; readonly execution: PlainExecution }
  /** `why`: the line the try's log ends with (`handed back to the queue: ...`, `cancelled`). */
  | { readonly type: "abort"; readonly id: number; readonly why: string };

/** What a pool child tells the worker. */
export type FromChild =
  | { readonly type: "started"; readonly id: number; readonly pid: number }
  | { readonly type: "ended"; readonly id: number; readonly outcome: TaskOutcome };
