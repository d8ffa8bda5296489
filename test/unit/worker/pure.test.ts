import { describe, expect, it } from "vitest";
import { toWorkersJson, workerRows } from "../../../src/cli/commands/workers.js";
import type { WorkerEntry } from "../../../src/queue/protocol.js";
import { deliveryHeader, logEndFields, logEntryFields } from "../../../src/worker/log-shipper.js";
import { checkPipeline, describeMismatch } from "../../../src/worker/pipeline-check.js";
import { describeOutcome } from "../../../src/worker/process-job.js";

const ORIGIN = { host: "driver", pid: 10, file: "/srv/flow/pipelines/etl.ts" };
const HASH = "0123456789abcdef".repeat(4);

describe("a pipeline file that differs on the worker", () => {
  it.each([
    [
      "a different file",
      "f00dfeedbeef".repeat(5),
      "pipeline file differs on worker w1: /opt/p/etl.ts (sha256 f00dfeedbeef) is not the file the run was made from, driver:/srv/flow/pipelines/etl.ts (sha256 0123456789ab); deploy the same pipelines folder to every worker",
    ],
    [
      "a missing file",
      undefined,
      "pipeline file missing on worker w1: /opt/p/etl.ts does not exist (or cannot be read); the run was made from driver:/srv/flow/pipelines/etl.ts (sha256 0123456789ab); deploy the same pipelines folder to every worker",
    ],
  ])("%s names both hosts' files and hashes", (_name, hash, expected) => {
    expect(
      describeMismatch({ host: "w1", file: "/opt/p/etl.ts", hash, expected: HASH, origin: ORIGIN }),
    ).toBe(expected);
  });

  it.each(["../etl.ts", "/etc/passwd", "sub/../../x.ts"])(
    "refuses a path outside the folder without retry: %s",
    async (pipeline) => {
      const check = await checkPipeline({ pipeline, hash: HASH, origin: ORIGIN }, "/opt/p", "w1");
      expect(check).toEqual({
        ok: false,
        outcome: {
          status: "failed",
          error: `pipeline path "${pipeline}" is not inside the pipelines folder`,
          retryable: false,
        },
      });
    },
  );
});

describe("log stream entries", () => {
  it("carry the delivery, the offset and the bytes", () => {
    expect(logEntryFields(2, 65536, Buffer.from("ab"))).toEqual([
      "d",
      "2",
      "o",
      "65536",
      "b",
      Buffer.from("ab"),
    ]);
    expect(logEndFields(1, 12)).toEqual(["d", "1", "end", "12"]);
  });

  it("of a later delivery begin with a line saying so", () => {
    expect(deliveryHeader(2, 3, "w1:42")).toBe(
      "flow: delivery 2 of try 3 on worker w1:42: the previous delivery's worker was lost or handed the try back; the task starts over\n",
    );
    expect(deliveryHeader(2, 1, "w1:42", true)).toBe(
      "flow: delivery 2 of try 1 on worker w1:42: the previous delivery's job was lost from Redis and queued again; the task starts over\n",
    );
  });
});

describe("a try's end line", () => {
  it.each<[string, Parameters<typeof describeOutcome>[0], string]>([
    ["success", { status: "success", exitCode: 0 }, "success in 2s"],
    [
      "failed",
      { status: "failed", error: "exit code 1", retryable: true },
      "failed in 2s: exit code 1",
    ],
    [
      "skipped",
      { status: "skipped", reason: "exit code 99 (skip)" },
      "skipped in 2s: exit code 99 (skip)",
    ],
    ["reschedule", { status: "reschedule" }, "up_for_reschedule in 2s"],
  ])("%s", (_name, outcome, expected) => {
    expect(describeOutcome(outcome, "2s")).toBe(expected);
  });
});

describe("flow workers", () => {
  const now = new Date("2026-12-01T10:00:10Z");
  const entry: WorkerEntry = {
    host: "w1",
    pid: 42,
    queue: "default",
    concurrency: 4,
    pipelinesDir: "/opt/p",
    startedAt: "2026-12-01T09:00:00.000Z",
    heartbeat: "2026-12-01T10:00:07.000Z",
    running: [
      {
        jobId: "etl.load.t1-abc",
        dagId: "etl",
        taskId: "load",
        runId: "manual__1",
        tryNumber: 1,
        delivery: 1,
        since: "2026-12-01T10:00:00.000Z",
      },
      {
        jobId: "etl.copy.t2-def",
        dagId: "etl",
        taskId: "copy",
        runId: "manual__1",
        tryNumber: 2,
        delivery: 2,
        since: "2026-12-01T10:00:05.000Z",
      },
    ],
  };
  const idle: WorkerEntry = {
    ...entry,
    host: "w2",
    pid: 7,
    running: [],
    heartbeat: "2026-12-01T10:00:10.000Z",
  };

  it("shows a row per worker, its tries one per line", () => {
    expect(workerRows([entry, idle], now)).toEqual([
      ["w1:42", "default", "4", "etl.load manual__1 try 1\netl.copy manual__1 try 2", "3s ago"],
      ["w2:7", "default", "4", "-", "0s ago"],
    ]);
  });

  it("prints JSON in snake_case with the heartbeat's age", () => {
    expect(toWorkersJson([entry], now).workers[0]).toEqual({
      host: "w1",
      pid: 42,
      queue: "default",
      concurrency: 4,
      pipelines_dir: "/opt/p",
      started_at: "2026-12-01T09:00:00.000Z",
      heartbeat: "2026-12-01T10:00:07.000Z",
      heartbeat_age_s: 3,
      running: [
        {
          job_id: "etl.load.t1-abc",
          dag_id: "etl",
          task_id: "load",
          run_id: "manual__1",
          try_number: 1,
          since: "2026-12-01T10:00:00.000Z",
        },
        {
          job_id: "etl.copy.t2-def",
          dag_id: "etl",
          task_id: "copy",
          run_id: "manual__1",
          try_number: 2,
          since: "2026-12-01T10:00:05.000Z",
        },
      ],
    });
  });
});
