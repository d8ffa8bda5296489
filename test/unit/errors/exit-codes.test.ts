import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT, EXIT_CODES, renderExitCodeTable } from "../../../src/errors.js";

// The markdown table right under the README's "## Exit codes" heading (the first run of lines
// that start with "|" in that section).
function readmeExitCodeTable(): string {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const section = readme.split(/^## Exit codes$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('README.md has no "## Exit codes" section');
  const lines = section.split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith("|"));
  return lines.slice(first, end === -1 ? undefined : end).join("\n");
}

describe("the exit-code table", () => {
  it("in README.md is renderExitCodeTable()'s output, byte for byte", () => {
    expect(
      readmeExitCodeTable(),
      "paste renderExitCodeTable() from src/errors.ts into README.md's exit-code table",
    ).toBe(renderExitCodeTable());
  });

  it("has one row per code, in ascending order", () => {
    const codes = renderExitCodeTable()
      .split("\n")
      .slice(2)
      .map((row) => Number(row.split("|")[1]));
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 70, 130]);
  });

  it("gives code 3 both meanings, pipeline error first", () => {
    const row = renderExitCodeTable()
      .split("\n")
      .find((line) => line.startsWith("| 3 "));
    expect(row).toContain(`${EXIT_CODES.pipeline.meaning}; ${EXIT_CODES.notRunning.meaning}`);
  });

  it.each([
    ["ok", 0],
    ["runFailed", 1],
    ["usage", 2],
    ["pipeline", 3],
    ["notRunning", 3],
    ["state", 4],
    ["internal", 70],
    ["interrupted", 130],
  ] as const)("EXIT.%s is %i, from EXIT_CODES", (name, code) => {
    expect(EXIT[name]).toBe(code);
    expect(EXIT_CODES[name].code).toBe(code);
  });

  it("EXIT names exactly the codes in EXIT_CODES", () => {
    expect(Object.keys(EXIT)).toEqual(Object.keys(EXIT_CODES));
  });
});
