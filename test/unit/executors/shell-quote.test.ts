import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isShellName, quoteShellWord } from "../../../src/executors/shell-quote.js";

describe("quoteShellWord", () => {
  it.each([
    ["plain", "abc"],
    ["empty", ""],
    ["a single quote", "it's"],
    ["only quotes", "'''"],
    ["expansions", "$HOME `id` $(id) * ~"],
    ["a newline and backslashes", "a\nb\\c\\'"],
  ])("keeps %s literal through sh", (_name, value) => {
    const echoed = execFileSync("/bin/sh", ["-c", `printf '%s' ${quoteShellWord(value)}`], {
      encoding: "utf8",
    });
    expect(echoed).toBe(value);
  });
});

describe("isShellName", () => {
  it.each([
    ["FLOW_DS", true],
    ["_x1", true],
    ["my-var", false],
    ["1abc", false],
    ["", false],
  ])("%s -> %s", (name, expected) => {
    expect(isShellName(name)).toBe(expected);
  });
});
