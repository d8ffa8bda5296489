import { afterEach, describe, expect, it } from "vitest";
import { GracefulStop } from "../../../src/cli/graceful-stop.js";

// request() is what a SIGINT or SIGTERM calls; listen() only wires the signals to it.
describe("GracefulStop", () => {
  let stop: GracefulStop | undefined;
  afterEach(() => stop?.dispose());

  it("the first request drains, says so once, and aborts when the grace period is over", async () => {
    const said: string[] = [];
    stop = new GracefulStop(20).onStop(() => said.push("stopping"));
    expect([stop.stopping, stop.drain.aborted, stop.signal.aborted]).toEqual([false, false, false]);
    stop.request();
    expect([stop.stopping, stop.drain.aborted, stop.signal.aborted]).toEqual([true, true, false]);
    await new Promise((resolve) => stop!.signal.addEventListener("abort", resolve));
    expect(said).toEqual(["stopping"]);
  });

  it("a second request aborts at once and says nothing more", () => {
    const said: string[] = [];
    stop = new GracefulStop(60_000).onStop(() => said.push("stopping"));
    stop.request();
    stop.request();
    expect(stop.signal.aborted).toBe(true);
    expect(said).toEqual(["stopping"]);
  });

  it("a grace of 0 aborts at the first request, after the stop listeners ran", () => {
    const seen: boolean[] = [];
    stop = new GracefulStop(0).onStop(() => seen.push(stop!.signal.aborted));
    stop.request();
    expect(seen).toEqual([false]);
    expect(stop.signal.aborted).toBe(true);
  });

  it("listens for SIGTERM only between listen() and dispose()", () => {
    const before = process.listenerCount("SIGTERM");
    stop = new GracefulStop(1000).listen();
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    expect(process.listenerCount("SIGINT")).toBeGreaterThan(0);
    stop.dispose();
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});
