import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STATE_LOOKS, type AnyState } from "../../../../src/palette/state-palette.js";

// The client colours states through app.css classes (CSP forbids inline styles), so the hex values
// live twice: here we check that app.css says exactly what the shared palette says.
const css = readFileSync(new URL("../../../../src/ui/client/app.css", import.meta.url), "utf8");

function ruleOf(state: string): string {
  const match = new RegExp(`\\.state-${state}\\s*\\{([^}]*)\\}`).exec(css);
  if (match?.[1] === undefined) throw new Error(`app.css has no .state-${state} rule`);
  return match[1];
}

function declared(rule: string, property: string): string | undefined {
  return new RegExp(`(?:^|[;\\s])${property}\\s*:\\s*([^;]+)`).exec(rule)?.[1]?.trim();
}

describe("app.css state classes", () => {
  const states = Object.entries(STATE_LOOKS).map(([state, look]) => ({ state, hex: look.hex }));

  it.each(states.filter((s) => s.hex !== null))(
    ".state-$state paints background and fill $hex",
    ({ state, hex }) => {
      const rule = ruleOf(state);
      expect(declared(rule, "background-color")?.toLowerCase()).toBe(hex?.toLowerCase());
      expect(declared(rule, "fill")?.toLowerCase()).toBe(hex?.toLowerCase());
    },
  );

  it("draws state none plain (white), as the palette's null colour asks", () => {
    expect(STATE_LOOKS["none" as AnyState].hex).toBeNull();
    expect(declared(ruleOf("none"), "background-color")).toBe("#ffffff");
  });
});
