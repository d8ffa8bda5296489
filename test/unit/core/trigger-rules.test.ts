import { describe, expect, it } from "vitest";
import type { TriggerRule } from "../../../src/core/dag.js";
import type { TaskState } from "../../../src/core/states.js";
import {
  countUpstreamStates,
  decideTrigger,
  type TriggerDecision,
} from "../../../src/core/trigger-rules.js";

// Upstream mixes, one letter code per direct upstream task instance:
// S success, F failed, UF upstream_failed, SK skipped, RM removed, R running, N none (not started).
const MIXES = [
  "",
  "S S",
  "S R",
  "F R",
  "UF S",
  "SK R",
  "SK SK",
  "S SK",
  "S SK F",
  "F F",
  "F UF",
  "UF UF",
  "S F",
  "RM S",
  "R N",
  "F SK",
] as const;

const CODES: Record<string, TaskState> = {
  S: "success",
  F: "failed",
  UF: "upstream_failed",
  SK: "skipped",
  RM: "removed",
  R: "running",
  N: "none",
};

// Expected decisions, one column per mix above, from the rule table in
// shared/reference/airflow-semantics.md (b). run / wait / skip / UF (upstream_failed).
// prettier-ignore
const TABLE: Record<TriggerRule, readonly string[]> = {
  //                            ""       S S      S R      F R      UF S     SK R     SK SK    S SK     S SK F   F F      F UF     UF UF    S F      RM S     R N      F SK
  all_success:                 ["run",   "run",   "wait",  "UF",    "UF",    "skip",  "skip",  "skip",  "UF",    "UF",    "UF",    "UF",    "UF",    "wait",  "wait",  "UF"],
  all_failed:                  ["run",   "skip",  "skip",  "wait",  "skip",  "skip",  "skip",  "skip",  "skip",  "run",   "run",   "run",   "skip",  "skip",  "wait",  "skip"],
  all_done:                    ["run",   "run",   "wait",  "wait",  "run",   "wait",  "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "wait",  "run"],
  all_skipped:                 ["run",   "skip",  "skip",  "skip",  "skip",  "wait",  "run",   "skip",  "skip",  "skip",  "skip",  "skip",  "skip",  "skip",  "wait",  "skip"],
  one_success:                 ["run",   "run",   "run",   "wait",  "run",   "wait",  "skip",  "run",   "run",   "UF",    "UF",    "UF",    "run",   "run",   "wait",  "UF"],
  one_failed:                  ["run",   "skip",  "wait",  "run",   "run",   "wait",  "skip",  "skip",  "run",   "run",   "run",   "run",   "run",   "skip",  "wait",  "run"],
  one_done:                    ["run",   "run",   "run",   "run",   "run",   "wait",  "skip",  "run",   "run",   "run",   "run",   "skip",  "run",   "run",   "wait",  "run"],
  none_failed:                 ["run",   "run",   "wait",  "UF",    "UF",    "wait",  "run",   "run",   "UF",    "UF",    "UF",    "UF",    "UF",    "wait",  "wait",  "UF"],
  none_failed_min_one_success: ["run",   "run",   "wait",  "UF",    "UF",    "wait",  "skip",  "run",   "UF",    "UF",    "UF",    "UF",    "UF",    "wait",  "wait",  "UF"],
  none_skipped:                ["run",   "run",   "wait",  "wait",  "run",   "skip",  "skip",  "skip",  "skip",  "run",   "run",   "run",   "run",   "run",   "wait",  "skip"],
  always:                      ["run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run",   "run"],
};

const states = (mix: string): TaskState[] =>
  mix === "" ? [] : mix.split(" ").map((code) => CODES[code]!);

const rows = Object.entries(TABLE).flatMap(([rule, decisions]) =>
  MIXES.map((mix, i) => {
    const expected = (decisions[i] === "UF" ? "upstream_failed" : decisions[i]) as TriggerDecision;
    return {
      name: `${rule} with [${mix || "no upstream"}] -> ${expected}`,
      rule: rule as TriggerRule,
      mix,
      expected,
    };
  }),
);

describe("decideTrigger", () => {
  it("has a column for every mix in every row", () => {
    for (const decisions of Object.values(TABLE)) expect(decisions).toHaveLength(MIXES.length);
  });

  it.each(rows)("$name", ({ rule, mix, expected }) => {
    expect(decideTrigger(rule, countUpstreamStates(states(mix)))).toBe(expected);
  });
});

describe("countUpstreamStates", () => {
  it("counts each finished state, unfinished ones only in total", () => {
    expect(countUpstreamStates(states("S S F UF SK RM R N"))).toEqual({
      total: 8,
      success: 2,
      failed: 1,
      upstreamFailed: 1,
      skipped: 1,
      removed: 1,
      done: 6,
    });
  });

  it("counts up_for_retry, queued and scheduled as not done", () => {
    const counts = countUpstreamStates(["up_for_retry", "queued", "scheduled"]);
    expect([counts.total, counts.done]).toEqual([3, 0]);
  });
});
