import { describe, expect, it } from "vitest";
import { reverseBlockedByPast } from "../../../src/core/backfill-reverse.js";
import { makeDag } from "./dag-fixture.js";

const past = makeDag({ extract: [], load: { upstream: ["extract"], dependsOnPast: true } });
const plain = makeDag({ extract: [], load: ["extract"] });

describe("reverseBlockedByPast", () => {
  it.each([
    { name: "oldest first: never blocked", dag: past, reverse: false, runsAtOnce: 1, want: null },
    { name: "no dependsOnPast task", dag: plain, reverse: true, runsAtOnce: 1, want: null },
    { name: "every run at once", dag: past, reverse: true, runsAtOnce: 5, want: null },
    { name: "more at once than intervals", dag: past, reverse: true, runsAtOnce: 9, want: null },
    {
      name: "fewer at once than intervals: the first dependsOnPast task",
      dag: past,
      reverse: true,
      runsAtOnce: 4,
      want: { taskId: "load", intervals: 5 },
    },
  ])("$name", ({ dag, reverse, runsAtOnce, want }) => {
    expect(reverseBlockedByPast(dag, { reverse, intervals: 5, runsAtOnce })).toEqual(want);
  });
});
