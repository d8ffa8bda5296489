import { describe, expect, it } from "vitest";
import { lostJobStep, type LostJobStep } from "../../../../src/executors/queue/lost-job.js";
import { REGISTRY_REWRITE_MS } from "../../../../src/queue/protocol.js";

// A try whose job Redis lost: the driver adds the job again only once no worker runs the try
// and every live worker has had time to write its registry entry again; never a third start.

const later = REGISTRY_REWRITE_MS;
const soon = REGISTRY_REWRITE_MS - 1;
const twice =
  "its job was lost from Redis (restarted without its data?) after the try had started 2 times, and a try starts at most 2 times";

describe("lostJobStep", () => {
  it.each<[string, number, readonly number[], number, LostJobStep]>([
    ["a worker lists the try as running: wait", later, [1], 1, { kind: "wait" }],
    ["listed, even long after: wait for it to stop", 10 * later, [1], 1, { kind: "wait" }],
    ["not listed, registry maybe not rewritten yet: wait", soon, [], 1, { kind: "wait" }],
    [
      "not listed, registry rewritten, started once: add, delivery 2 next",
      later,
      [],
      1,
      { kind: "add", startsBefore: 1 },
    ],
    [
      "not listed, never started (it waited in the queue): add",
      later,
      [],
      0,
      { kind: "add", startsBefore: 0 },
    ],
    ["not listed, started twice already: fail", later, [], 2, { kind: "fail", error: twice }],
    ["started twice and still listed: wait, then fail", later, [2], 2, { kind: "wait" }],
  ])("%s", (_name, lostForMs, running, starts, step) => {
    expect(lostJobStep(lostForMs, running, starts)).toEqual(step);
  });
});
