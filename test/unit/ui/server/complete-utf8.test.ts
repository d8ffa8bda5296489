import { describe, expect, it } from "vitest";
import { completeUtf8 } from "../../../../src/ui/server/routes-log.js";

// A log chunk cut at a byte offset may end inside a character: the cut moves back to its start.
describe("completeUtf8", () => {
  const cafe = Buffer.from("café"); // é is 2 bytes: 63 61 66 c3 a9
  const rocket = Buffer.from("a🚀"); // 🚀 is 4 bytes
  it.each([
    ["whole ASCII", Buffer.from("abc"), 3],
    ["a whole 2-byte character", cafe, 5],
    ["the lead byte of a 2-byte character", cafe.subarray(0, 4), 3],
    ["a whole 4-byte character", rocket, 5],
    ["3 of 4 bytes", rocket.subarray(0, 4), 1],
    ["1 of 4 bytes", rocket.subarray(0, 2), 1],
    ["nothing", Buffer.alloc(0), 0],
  ])("keeps %s", (_name, data, length) => {
    expect(completeUtf8(data).length).toBe(length);
  });
});
