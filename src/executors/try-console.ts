import { AsyncLocalStorage } from "node:async_hooks";
import { format, inspect } from "node:util";
import type { TaskLogger } from "../api/context.js";
import { TryOutput, type StreamName } from "./try-output.js";

// The output of the try (or callback) whose code is running, across its awaits.
const current = new AsyncLocalStorage<TryOutput>();

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

// Patches the console and process.stdout/stderr.write once per process: inside a try they write
// to that try's log (through its mask), elsewhere they are what they were. flow's own output
// (progress lines, the run's report) is written outside any try, so it is left alone.
function installRouting(): void {
  if (installed) return;
  installed = true;
  for (const [method, level] of Object.entries(LEVELS) as [ConsoleMethod, Level][]) {
    const original = console[method] as (...args: unknown[]) => void;
    console[method] = (...args: unknown[]): void => {
      const output = current.getStore();
      if (output === undefined) original.apply(console, args);
      else output.log[level](...linesOf(method, args));
    };
  }
  routeWrites("stdout");
  routeWrites("stderr");
}

// Libraries that write to the stream itself (progress bars, some loggers) bypass console: their
// writes go to the try's log too, cut into lines. `write(chunk, encoding?, callback?)` keeps its
// contract: the callback is called (on the next tick, as a stream would), and it returns true.
function routeWrites(name: StreamName): void {
  const stream = process[name];
  const original = stream.write;
  stream.write = function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const output = current.getStore();
    // Anything but text and bytes is the stream's to refuse, with its own error.
    if (output === undefined || output.busy || !isChunk(chunk))
      return Reflect.apply(original, this, [chunk, ...rest]) as boolean;
    const [encoding, callback] = typeof rest[0] === "function" ? [undefined, rest[0]] : rest;
    output.write(name, chunk, encoding as BufferEncoding | undefined);
    if (typeof callback === "function") process.nextTick(callback as (error: null) => void, null);
    return true;
  } as typeof stream.write;
}

function isChunk(chunk: unknown): chunk is string | Uint8Array {
  return typeof chunk === "string" || chunk instanceof Uint8Array;
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
 * Runs `run` (a try's function, a sensor's poke, a callback) so that console output and writes to
 * process.stdout and process.stderr from it, and from everything it awaits, go to `log`: the
 * try's log, masked, as Airflow sends a task's stdout to its log through the secrets masker.
 * Without this they reached flow's own stdout, where no mask applies and `flow run --json` must
 * print JSON only. A line still without its newline goes to the log when `run` returns, or when
 * the promise it returns settles.
 */
export function withTryConsole<T>(log: TaskLogger, run: () => T): T {
  installRouting();
  const output = new TryOutput(log);
  let value: T;
  try {
    value = current.run(output, run);
  } catch (error) {
    output.end();
    throw error;
  }
  if (value instanceof Promise) output.endWhenSettled(value);
  else output.end();
  return value;
}
