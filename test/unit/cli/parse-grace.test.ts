import { describe, expect, it } from "vitest";
import { parseGrace } from "../../../src/cli/parse.js";

describe("parseGrace: one rule for --grace and scheduler stop --timeout", () => {
  it.each([
    { name: "a plain number is seconds", value: "30", want: 30_000 },
    { name: "zero: stop at once", value: "0", want: 0 },
    { name: "a fraction of a second", value: "1.5", want: 1_500 },
    { name: "spaces around a number", value: " 2 ", want: 2_000 },
    { name: "milliseconds", value: "500ms", want: 500 },
    { name: "minutes", value: "2m", want: 120_000 },
    { name: "a combination", value: "1h30m", want: 5_400_000 },
  ])("$name ($value)", ({ value, want }) => {
    expect(parseGrace(value)).toBe(want);
  });

  it("an absent optional flag stays absent", () => {
    expect(parseGrace(undefined)).toBeUndefined();
  });

  it.each([
    {
      name: "a word",
      value: "soon",
      flag: undefined,
      want: '--grace "soon" is not a duration (e.g. 30s, 2m)',
    },
    {
      name: "a negative number",
      value: "-1",
      flag: undefined,
      want: '--grace "-1" is not a duration (e.g. 30s, 2m)',
    },
    {
      name: "another flag's name",
      value: "1x",
      flag: "--timeout",
      want: '--timeout "1x" is not a duration (e.g. 30s, 2m)',
    },
  ])("$name is a usage error", ({ value, flag, want }) => {
    expect(() => parseGrace(value, flag)).toThrow(want);
  });
});
