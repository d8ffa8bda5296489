import { describe, expect, it } from "vitest";
import type { RunHalt } from "../../../src/core/run-halt.js";
import { endRun } from "../../../src/core/run-end.js";
import type { TaskState } from "../../../src/core/states.js";
import { makeDag } from "./dag-fixture.js";
import { runOf } from "./run-event-fixture.js";

const at = new Date("2026-01-01T00:10:00.000Z");
const owner = { pid: 7, hostname: "box", heartbeat: "2026-01-01T00:00:00.000Z" };

//   extract -> load;  audit
const dag = makeDag({ extract: [], load: ["extract"], audit: [] });

describe("endRun", () => {
  it.each<
    [
      string,
      Record<string, TaskState>,
      { halt?: RunHalt; blockedByPast?: string[] },
      { state: string; reason: string | null; end: string | null },
    ]
  >([
    [
      "every task succeeded: success",
      { extract: "success", load: "success", audit: "success" },
      {},
      { state: "success", reason: null, end: "2026-01-01T00:10:00.000Z" },
    ],
    [
      "a leaf failed: failed, the task says why",
      { extract: "failed", load: "upstream_failed", audit: "success" },
      {},
      { state: "failed", reason: null, end: "2026-01-01T00:10:00.000Z" },
    ],
    [
      "tasks that can never run: failed, deadlocked",
      { extract: "success", load: "none", audit: "success" },
      {},
      {
        state: "failed",
        reason: 'deadlocked: task "load" can never run',
        end: "2026-01-01T00:10:00.000Z",
      },
    ],
    [
      "given up on its past: failed, deadlocked on it",
      { extract: "success", load: "upstream_failed", audit: "success" },
      { blockedByPast: ['task "load" depends on past: it is failed in the previous run x'] },
      {
        state: "failed",
        reason: 'deadlocked: task "load" depends on past: it is failed in the previous run x',
        end: "2026-01-01T00:10:00.000Z",
      },
    ],
    [
      "fail_fast: by the leaf rule",
      { extract: "failed", load: "upstream_failed", audit: "skipped" },
      { halt: { kind: "fail_fast", failed: "extract" } },
      { state: "failed", reason: null, end: "2026-01-01T00:10:00.000Z" },
    ],
    [
      "interrupted: back to queued, to resume",
      { extract: "success", load: "none", audit: "none" },
      { halt: { kind: "interrupted" } },
      { state: "queued", reason: "interrupted", end: null },
    ],
    [
      "drained: back to queued too, even with every task done",
      { extract: "success", load: "success", audit: "success" },
      { halt: { kind: "draining" } },
      { state: "queued", reason: "interrupted", end: null },
    ],
  ])("%s", (_name, states, end, expected) => {
    const { tasks, ...run } = runOf(dag, states, { state: "running", owner });
    const event = endRun(dag, run, tasks, { at, ...end });
    expect(event.run).toMatchObject({ ...expected, owner: null });
    expect([event.tasks, event.ready, event.retries]).toEqual([[], [], []]);
  });
});
