import { describe, expect, it } from "vitest";
import { shortenEnd, shortenMiddle } from "../../../../src/cli/render/format.js";

describe("shortenMiddle", () => {
  it.each([
    { name: "fits: unchanged", text: "extract", width: 7, expected: "extract" },
    {
      name: "odd room: head gets the extra",
      text: "extract_orders",
      width: 8,
      expected: "extr…ers",
    },
    { name: "even room: halves", text: "extract_orders", width: 9, expected: "extr…ders" },
    { name: "room for the ellipsis only", text: "extract", width: 1, expected: "…" },
    { name: "no room", text: "extract", width: 0, expected: "" },
  ])("$name", ({ text, width, expected }) => {
    expect(shortenMiddle(text, width)).toBe(expected);
  });

  it("takes another ellipsis for ASCII output", () => {
    expect(shortenMiddle("extract_orders", 8, "~")).toBe("extr~ers");
  });
});

describe("shortenEnd", () => {
  it("cuts the end and marks it", () => {
    expect(shortenEnd("extract_orders", 8)).toBe("extract…");
    expect(shortenEnd("extract", 7)).toBe("extract");
  });
});
