import { describe, expect, it } from "vitest";
import { closest } from "../../../src/core/did-you-mean.js";

describe("closest", () => {
  const tasks = ["extract", "transform", "load", "notify"];

  it.each([
    ["a missing letter", "extrct", tasks, "extract"],
    ["a swapped pair", "tranfsorm", tasks, "transform"],
    ["a swapped pair in a short name", "godo", ["good"], "good"],
    ["different case", "Load", tasks, "load"],
    ["an extra letter", "loadd", tasks, "load"],
    ["a trigger rule typo", "all_sucess", ["all_success", "all_failed", "all_done"], "all_success"],
    ["the nearest of two", "one_fail", ["one_failed", "none_failed"], "one_failed"],
  ])("%s: %s -> %s", (_name, name, candidates, expected) => {
    expect(closest(name, candidates)).toBe(expected);
  });

  it.each([
    ["nothing alike", "publish", tasks],
    ["one letter names", "a", ["b"]],
    ["too many edits for the length", "lxxd", tasks],
    ["no candidates", "extract", []],
    ["only the name itself", "load", ["load"]],
  ])("%s: no suggestion for %s", (_name, name, candidates) => {
    expect(closest(name, candidates)).toBeUndefined();
  });

  it("prefers the earlier candidate on a tie", () => {
    expect(closest("cat", ["bat", "hat"])).toBe("bat");
  });
});
