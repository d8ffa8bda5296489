import { homedir } from "node:os";
import { UsageError } from "../errors.js";
import type { TaskOutcome } from "../executors/executor.js";
import { FunctionExecutor } from "../executors/function.js";
import { describeThrown, failed, TryStopped } from "../executors/outcomes.js";
import { cacheDirFor } from "../loader/compiled-pipelines.js";
import type { FromChild, ToChild } from "./child-messages.js";
import { WorkerPipelines } from "./worker-pipelines.js";

/**
 * A pool child of `flow worker`: runs the function tasks the worker sends it over IPC with the
 * ordinary FunctionExecutor, one at a time, so that a task that keeps the CPU busy blocks this
 * process and never the worker's (whose event loop renews the job locks). The worker owns the
 * try's time limit and stops this process when a try does not end in time. Ends when the worker
 * goes away (the IPC channel closes).
 */
export async function runFunctionChild(options: {
  readonly pipelinesDir: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}): Promise<void> {
  const send = process.send?.bind(process);
  if (!send)
    throw new UsageError(
      "flow worker-child is internal: flow worker starts it, with an IPC channel",
    );
  const pipelines = new WorkerPipelines(options.pipelinesDir, {
    cwd: options.cwd,
    cacheDir: cacheDirFor(options.env, homedir(), options.cwd),
  });
  const executor = new FunctionExecutor(pipelines, { env: options.env, stateDir: undefined });
  // The worker stops this process when it must (SIGKILL after an ignored SIGTERM); a signal meant
  // for the worker's whole group (systemd's control-group stop) must not end tries it still gives
  // their grace.
  for (const name of ["SIGINT", "SIGTERM"] as const) process.on(name, () => undefined);
  const aborts = new Map<number, AbortController>();
  const reply = (message: FromChild): void => void send(message);
  process.on("message", (message: ToChild) => {
    // The task's function ends its log with why the worker stopped it.
    if (message.type === "abort") return aborts.get(message.id)?.abort(new TryStopped(message.why));
    const controller = new AbortController();
    aborts.set(message.id, controller);
    const onStarted = ({ pid }: { pid: number }): void =>
      reply({ type: "started", id: message.id, pid });
    executor
      .execute({ ...message.execution, signal: controller.signal }, onStarted)
      .then(
        (outcome) => outcome,
        (error: unknown): TaskOutcome => failed(describeThrown(error)),
      )
      .then((outcome) => {
        aborts.delete(message.id);
        reply({ type: "ended", id: message.id, outcome });
      });
  });
  await new Promise<void>((resolve) => process.once("disconnect", resolve));
}
