import { describe, expect, it } from "vitest";
import { EXIT, FlowError, NotFoundError, type NotFoundOptions } from "../../../src/errors.js";

// The messages flow printed before NotFoundError built them all; test/e2e asserts the same text.
describe("NotFoundError", () => {
  it.each<[string, string, string, readonly string[], NotFoundOptions, string]>([
    [
      "a task in a dag",
      "task",
      "lod",
      ["extract", "load"],
      { where: 'dag "good"' },
      'unknown task "lod" in dag "good" (known: "extract", "load")',
    ],
    [
      "a run in a dag, none known",
      "run",
      "x",
      [],
      { where: 'dag "etl"' },
      'unknown run "x" in dag "etl" (there are no runs)',
    ],
    [
      "a dag, no guess close enough",
      "dag",
      "nope",
      ["good"],
      { suggest: true, noneKnown: "no DAGs found" },
      'unknown dag "nope" (known: "good")',
    ],
    [
      "a dag with a guess",
      "dag",
      "godo",
      ["good"],
      { suggest: true, noneKnown: "no DAGs found" },
      'unknown dag "godo" (did you mean "good"?; known: "good")',
    ],
    [
      "a dag, none found",
      "dag",
      "etl",
      [],
      { suggest: true, noneKnown: "no DAGs found" },
      'unknown dag "etl" (no DAGs found)',
    ],
    [
      "a dag with failed imports",
      "dag",
      "thrower",
      ["good"],
      {
        suggest: true,
        noneKnown: "no DAGs found",
        notes: ["1 pipeline file(s) failed to import: flow list shows why"],
      },
      'unknown dag "thrower" (known: "good"; 1 pipeline file(s) failed to import: flow list shows why)',
    ],
    [
      "a dag as flow status words it, none known",
      "dag",
      "etl",
      [],
      { noneKnown: "known: none" },
      'unknown dag "etl" (known: none)',
    ],
    [
      "a run of a dag, the latest ones listed newest first",
      "run",
      "manual__1999",
      ["manual__2026-01-05", "manual__2026-01-04"],
      { of: 'dag "good"', label: "latest", noneKnown: "it has no runs yet" },
      'unknown run "manual__1999" of dag "good" (latest: "manual__2026-01-05", "manual__2026-01-04")',
    ],
    [
      "a run of a dag that has none",
      "run",
      "manual__1999",
      [],
      { of: 'dag "good"', label: "latest", noneKnown: "it has no runs yet" },
      'unknown run "manual__1999" of dag "good" (it has no runs yet)',
    ],
  ])("%s", (_name, kind, name, known, options, message) => {
    const error = new NotFoundError(kind, name, known, options);
    expect(error.message).toBe(message);
    expect(error).toBeInstanceOf(FlowError);
    expect(error.exitCode).toBe(EXIT.usage);
  });

  it("keeps what was looked up as data, and the hint", () => {
    const error = new NotFoundError("task", "lod", ["load"], { hint: "flow list" });
    expect([error.kind, error.missing, error.known, error.hint]).toEqual([
      "task",
      "lod",
      ["load"],
      "flow list",
    ]);
    expect(error.name).toBe("NotFoundError");
  });
});
