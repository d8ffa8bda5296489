import { describe, expect, it } from "vitest";
import { fileSensor } from "../../../src/api/file-sensor.js";
import { readPoke } from "../../../src/api/sensor.js";

describe("readPoke: what a poke's return value says", () => {
  it.each([
    ["true", true, { done: true }],
    ["false", false, { done: false }],
    ["undefined", undefined, { done: false }],
    ["null", null, { done: false }],
    ["0", 0, { done: false }],
    ["an empty string", "", { done: false }],
    ["{ done: false }", { done: false }, { done: false }],
    ["{ done: true }", { done: true }, { done: true }],
    [
      "{ done: true, result }",
      { done: true, result: { rows: 3 } },
      { done: true, result: { rows: 3 } },
    ],
    ["a truthy value: done, and the result", { rows: 3 }, { done: true, result: { rows: 3 } }],
    ["a list of files", ["/a.csv"], { done: true, result: ["/a.csv"] }],
    [
      "an object with done and more keys is a result",
      { done: true, n: 1 },
      { done: true, result: { done: true, n: 1 } },
    ],
    ["a string", "ready", { done: true, result: "ready" }],
  ])("%s", (_name, value, expected) => {
    expect(readPoke(value)).toEqual(expected);
  });
});

describe("fileSensor's pattern, checked at load", () => {
  it.each<[unknown, string[]]>([
    ["data/*.csv", []],
    [() => "data/*.csv", []],
    ["", ['fileSensor pattern must be a non-empty string or a function, got ""']],
    [42, ["fileSensor pattern must be a non-empty string or a function, got 42"]],
  ])("%j", (pattern, problems) => {
    expect(fileSensor("wait", pattern as string).problems).toEqual(problems);
  });
});
