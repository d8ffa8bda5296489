import { afterAll, describe, expect, it } from "vitest";
import { withTryConsole } from "../../../src/executors/try-console.js";
import { recordingLogger } from "./recording-logger.js";

// The console as it was before flow patched it: a fake that records what reaches it.
const reachedConsole: string[] = [];
const saved = { log: console.log, error: console.error };
console.log = (...args: unknown[]) => void reachedConsole.push(`log ${args.join(" ")}`);
console.error = (...args: unknown[]) => void reachedConsole.push(`error ${args.join(" ")}`);
afterAll(() => Object.assign(console, saved));

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe("withTryConsole", () => {
  it("sends console output inside the try to its log, by level, and leaves the console alone outside", async () => {
    const log = recordingLogger();
    await withTryConsole(log, async () => {
      console.log("a", 1);
      await tick();
      console.error("b");
      console.warn("c");
      console.dir({ d: 1 });
    });
    console.log("outside");
    expect(log.lines).toEqual(["INFO a 1", "ERROR b", "WARN c", "INFO { d: 1 }"]);
    expect(reachedConsole).toEqual(["log outside"]);
  });

  it("keeps two tries that interleave apart", async () => {
    const first = recordingLogger();
    const second = recordingLogger();
    const talk = (name: string) => async () => {
      for (let i = 0; i < 3; i++) {
        console.log(name, i);
        await tick();
      }
    };
    await Promise.all([withTryConsole(first, talk("one")), withTryConsole(second, talk("two"))]);
    expect(first.lines).toEqual(["INFO one 0", "INFO one 1", "INFO one 2"]);
    expect(second.lines).toEqual(["INFO two 0", "INFO two 1", "INFO two 2"]);
  });

  it("returns what the function returns, synchronously when it is synchronous", () => {
    expect(withTryConsole(recordingLogger(), () => 42)).toBe(42);
  });

  it("sends process.stdout and process.stderr writes inside the try to its log, and calls their callbacks", async () => {
    const log = recordingLogger();
    const called: unknown[] = [];
    await withTryConsole(log, async () => {
      expect(process.stdout.write("out ")).toBe(true);
      await tick();
      process.stdout.write(Buffer.from("line\n"), (error) => called.push(error));
      process.stderr.write("6572720a", "hex", (error) => called.push(error));
      process.stdout.write("last");
    });
    expect(log.lines).toEqual(["INFO out line", "WARN err", "INFO last"]);
    await tick();
    expect(called).toEqual([null, null]);
  });

  it("console.trace writes its message and the caller's stack as an ERROR line", () => {
    const log = recordingLogger();
    withTryConsole(log, () => console.trace("where"));
    expect(log.lines[0]).toMatch(/^ERROR Trace: where\n\s+at /);
  });
});
