import { AsyncLocalStorage } from "node:async_hooks";
import { format, inspect } from "node:util";
import type { TaskLogger } from "../api/context.js";

// The log of the try (or callback) whose code is running, across its awaits.
const current = new AsyncLocalStorage<TaskLogger>();

type ConsoleMethod = "log" | "info" | "debug" | "warn" | "error" | "trace" | "dir";
type Level = "info" | "warn" | "error";

// The level each console method writes at in a try's log.
const LEVELS: Readonly<Record<ConsoleMethod, Level>> = {
  log: "info",
  info: "info",
  debug: "info",
  warn: "warn",
  error: "error",
  trace: "error",
  dir: "info",
};

let installed = false;

// Patches the console once per process: inside a try its methods write to that try's log (through
// its mask), elsewhere they are the console as it was.
function installConsoleRouting(): void {
  if (installed) return;
  installed = true;
  for (const [method, level] of Object.entries(LEVELS) as [ConsoleMethod, Level][]) {
    const original = console[method] as (...args: unknown[]) => void;
    console[method] = (...args: unknown[]): void => {
      const log = current.getStore();
      if (log === undefined) original.apply(console, args);
      else log[level](...linesOf(method, args));
    };
  }
}

// What console would have printed: `dir` inspects its one value with its options, `trace` adds
// the stack of its caller.
function linesOf(method: ConsoleMethod, args: unknown[]): unknown[] {
  if (method === "dir") return [inspect(args[0], args[1] as object | undefined)];
  if (method !== "trace") return args;
  const stack = new Error().stack?.split("\n").slice(3).join("\n") ?? "";
  return [`Trace: ${format(...args)}\n${stack}`];
}

/**
 * Runs `run` (a try's function, a sensor's poke, a callback) so that console output from it, and
 * from everything it awaits, goes to `log`: the try's log, masked, as Airflow sends a task's
 * stdout to its log through the secrets masker. Without this it reached flow's own stdout, where
 * no mask applies and `flow run --json` must print JSON only.
 */
export function withTryConsole<T>(log: TaskLogger, run: () => T): T {
  installConsoleRouting();
  return current.run(log, run);
}
