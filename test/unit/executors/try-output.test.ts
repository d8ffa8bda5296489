import { describe, expect, it } from "vitest";
import { TryOutput } from "../../../src/executors/try-output.js";
import { recordingLogger } from "./recording-logger.js";

describe("TryOutput", () => {
  it("writes up to the last newline as one entry and keeps the rest for the next write", () => {
    const log = recordingLogger();
    const output = new TryOutput(log);
    output.write("stdout", "a", undefined);
    expect(log.lines).toEqual([]);
    output.write("stdout", "b\nc\nd", undefined);
    output.write("stdout", "\n", undefined);
    expect(log.lines).toEqual(["INFO ab\nc", "INFO d"]);
  });

  it("keeps stdout (INFO) and stderr (WARN, as Airflow) apart", () => {
    const log = recordingLogger();
    const output = new TryOutput(log);
    output.write("stdout", "out ", undefined);
    output.write("stderr", "err\n", undefined);
    output.write("stdout", "line\n", undefined);
    expect(log.lines).toEqual(["WARN err", "INFO out line"]);
  });

  it("decodes bytes, a character cut between two writes included, and strings in other encodings", () => {
    const log = recordingLogger();
    const output = new TryOutput(log);
    const bytes = Buffer.from("5 €\n");
    output.write("stdout", new Uint8Array(bytes.subarray(0, 3)), undefined);
    output.write("stdout", bytes.subarray(3), undefined);
    output.write("stdout", Buffer.from("hex\n").toString("hex"), "hex");
    output.write("stdout", "crlf\r\n", "utf8");
    expect(log.lines).toEqual(["INFO 5 €", "INFO hex", "INFO crlf"]);
  });

  it("at the end writes what waits for a newline, and every later write at once", () => {
    const log = recordingLogger();
    const output = new TryOutput(log);
    output.write("stdout", "half", undefined);
    output.write("stderr", Buffer.from("€").subarray(0, 1), undefined);
    output.end();
    output.write("stdout", "late", undefined);
    expect(log.lines).toEqual(["INFO half", "WARN \ufffd", "INFO late"]);
  });

  it("ends when the try's promise settles, once a line waits", async () => {
    const log = recordingLogger();
    const output = new TryOutput(log);
    let settle = (): void => {};
    output.endWhenSettled(new Promise<void>((resolve) => (settle = resolve)));
    output.write("stdout", "progress 50%", undefined);
    await Promise.resolve();
    expect(log.lines).toEqual([]);
    settle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines).toEqual(["INFO progress 50%"]);
  });

  it("writes a line that never ends once it is 64 KiB long (a progress bar's carriage returns)", () => {
    const log = recordingLogger();
    const output = new TryOutput(log);
    for (let i = 0; i < 7_000; i++) output.write("stdout", "\r 10% ....", undefined);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]!.length).toBeGreaterThanOrEqual(64 * 1024);
  });
});
