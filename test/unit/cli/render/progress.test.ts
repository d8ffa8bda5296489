import { stripVTControlCharacters } from "node:util";
import { describe, expect, it, vi } from "vitest";
import {
  LiveReporter,
  PLAIN_FLUSH_MS,
  PlainReporter,
} from "../../../../src/cli/render/progress.js";
import { ti } from "./fixtures.js";

/** A sink that records what was written. */
function sink(): { write(text: string): void; writes: string[]; text(): string } {
  const writes: string[] = [];
  return { write: (text) => void writes.push(text), writes, text: () => writes.join("") };
}

const t0 = new Date("2026-11-24T08:42:50.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("PlainReporter", () => {
  it("writes one timestamped line per event", () => {
    const out = sink();
    const reporter = new PlainReporter(out, { color: false });
    reporter.taskStarted("extract", 1, t0);
    reporter.taskFinished(
      ti("extract", { state: "success", try_number: 1, duration_ms: 1200 }),
      at(1200),
    );
    reporter.taskStarted("load", 1, at(1300));
    reporter.taskRetrying(
      ti("load", {
        state: "up_for_retry",
        try_number: 1,
        max_tries: 3,
        duration_ms: 310,
        reason: "exit code 1",
        next_try_at: "2026-11-24T08:43:21.610Z",
      }),
      at(1610),
    );
    reporter.taskFinished(
      ti("load", {
        state: "failed",
        try_number: 3,
        max_tries: 3,
        duration_ms: 300,
        reason: "exit code 3\nmore",
      }),
      at(90_000),
    );
    reporter.taskFinished(
      ti("notify", { state: "upstream_failed", reason: 'upstream task "load" failed' }),
      at(90_000),
    );
    reporter.close();
    expect(out.text()).toBe(
      [
        "2026-11-24T08:42:50Z  extract  running (try 1)",
        "2026-11-24T08:42:51Z  extract  success in 1.2s",
        "2026-11-24T08:42:51Z  load  running (try 1)",
        "2026-11-24T08:42:51Z  load  up_for_retry after 310ms (try 1/3): exit code 1, next try at 2026-11-24T08:43:21Z",
        "2026-11-24T08:44:20Z  load  failed in 300ms (try 3/3): exit code 3",
        '2026-11-24T08:44:20Z  notify  upstream_failed: upstream task "load" failed',
        "",
      ].join("\n"),
    );
  });

  it("colours the state when colour is on", () => {
    const out = sink();
    const reporter = new PlainReporter(out, { color: true });
    reporter.taskFinished(ti("x", { state: "failed", try_number: 1, duration_ms: 5 }), t0);
    reporter.close();
    expect(out.text()).toContain("\u001b[38;2;255;0;0mfailed\u001b[39m");
  });

  it("writes a lone line at once, and those that follow within PLAIN_FLUSH_MS together", () => {
    vi.useFakeTimers();
    try {
      const writes: string[] = [];
      const reporter = new PlainReporter(
        { write: (text: string) => writes.push(text) },
        { color: false },
      );
      reporter.taskFinished(ti("a", { state: "success", try_number: 1, duration_ms: 5 }), t0);
      expect(writes).toEqual(["2026-11-24T08:42:50Z  a  success in 5ms\n"]);
      reporter.taskStarted("b", 1, t0);
      reporter.taskStarted("c", 1, t0);
      vi.advanceTimersByTime(PLAIN_FLUSH_MS - 1);
      expect(writes).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(writes[1]).toBe(
        "2026-11-24T08:42:50Z  b  running (try 1)\n2026-11-24T08:42:50Z  c  running (try 1)\n",
      );
      // The window closed: the next line is alone again.
      reporter.taskStarted("d", 1, t0);
      expect(writes).toHaveLength(3);
      reporter.taskStarted("e", 1, t0);
      reporter.close();
      expect(writes).toHaveLength(4);
      vi.advanceTimersByTime(PLAIN_FLUSH_MS);
      expect(writes).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it("writes the lines still waiting when the process exits without close()", () => {
    const writes: string[] = [];
    const reporter = new PlainReporter(
      { write: (text: string) => writes.push(text) },
      {
        color: false,
      },
    );
    const before = process.listenerCount("exit");
    reporter.taskStarted("a", 1, t0);
    reporter.taskStarted("b", 1, t0);
    expect(process.listenerCount("exit")).toBe(before + 1);
    // What the process would do at exit (emitting "exit" would reach the test runner's own too).
    const atExit = process.listeners("exit").at(-1)!;
    process.off("exit", atExit);
    atExit(0);
    expect(writes).toEqual([
      "2026-11-24T08:42:50Z  a  running (try 1)\n",
      "2026-11-24T08:42:50Z  b  running (try 1)\n",
    ]);
    expect(process.listenerCount("exit")).toBe(before);
    reporter.close();
  });
});

describe("LiveReporter", () => {
  it("draws running tasks and counts on refresh, and finished tasks as permanent lines above", async () => {
    const out = sink();
    let clock = t0;
    const reporter = new LiveReporter(out, {
      color: false,
      now: () => clock,
      intervalMs: 0,
      total: 3,
    });
    await reporter.ready;
    reporter.taskStarted("extract", 1, t0);
    reporter.taskStarted("transform", 2, t0);
    clock = at(1500);
    reporter.refresh();
    expect(out.text()).toBe(
      "● extract  running 1.5s (try 1)\n● transform  running 1.5s (try 2)\n2 running  0/3 done  1.5s\n",
    );

    out.writes.length = 0;
    reporter.taskFinished(
      ti("extract", { state: "success", try_number: 1, duration_ms: 2000 }),
      at(2000),
    );
    clock = at(2000);
    reporter.refresh();
    const [erase, permanent, block] = out.writes;
    expect(erase).toContain("\u001b[2K");
    expect(permanent).toBe("✔ extract  success in 2.0s\n");
    expect(block).toBe("● transform  running 2.0s (try 2)\n1 success, 1 running  1/3 done  2.0s\n");

    out.writes.length = 0;
    reporter.taskFinished(
      ti("transform", {
        state: "failed",
        try_number: 2,
        max_tries: 2,
        duration_ms: 10,
        reason: "exit code 3",
      }),
      at(2100),
    );
    reporter.close();
    expect(stripVTControlCharacters(out.text())).toBe(
      "✘ transform  failed in 10ms (try 2/2): exit code 3\n",
    );
  });

  it("lists at most maxRunningRows tasks and counts the rest", async () => {
    const out = sink();
    const reporter = new LiveReporter(out, {
      color: false,
      now: () => t0,
      intervalMs: 0,
      maxRunningRows: 2,
    });
    await reporter.ready;
    for (const id of ["a", "b", "c", "d"]) reporter.taskStarted(id, 1, t0);
    reporter.refresh();
    expect(out.text()).toBe(
      "● a  running 0ms (try 1)\n● b  running 0ms (try 1)\n… and 2 more running\n4 running  0ms\n",
    );
    reporter.close();
  });

  it("before log-update has loaded, draws no block and still writes every finished line", () => {
    const out = sink();
    const reporter = new LiveReporter(out, { color: false, now: () => t0, intervalMs: 0 });
    reporter.taskStarted("a", 1, t0);
    reporter.taskFinished(ti("a", { state: "success", try_number: 1, duration_ms: 5 }), t0);
    reporter.refresh();
    reporter.close();
    expect(out.text()).toBe("✔ a  success in 5ms\n");
  });

  it("writes nothing per event: 20,000 events cost one redraw", () => {
    const out = sink();
    const reporter = new LiveReporter(out, { color: true, now: () => t0, intervalMs: 0 });
    for (let i = 0; i < 10_000; i++) {
      reporter.taskStarted(`t${i}`, 1, t0);
      reporter.taskFinished(ti(`t${i}`, { state: "success", try_number: 1, duration_ms: 1 }), t0);
    }
    expect(out.writes).toHaveLength(0);
    reporter.refresh();
    expect(out.writes.length).toBeLessThanOrEqual(3);
    expect(
      stripVTControlCharacters(out.text())
        .split("\n")
        .filter((line) => line.includes("success in")),
    ).toHaveLength(10_000);
    reporter.close();
  });

  it("redraws on its own timer, which does not keep the process alive", async () => {
    const out = sink();
    const reporter = new LiveReporter(out, { color: false, intervalMs: 5 });
    reporter.taskStarted("extract", 1, new Date());
    await new Promise((resolve) => setTimeout(resolve, 50));
    reporter.close();
    expect(out.text()).toContain("extract  running");
  });
});
