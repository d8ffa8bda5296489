import { describe, expect, it } from "vitest";
import { RUN_STATES, TASK_STATES } from "../../../../src/core/states.js";
import { formatState, paint, stateStyle, stateSymbol } from "../../../../src/cli/render/colors.js";

describe("stateStyle", () => {
  it.each(TASK_STATES.map((state) => [state]))("%s leaves text alone with colour off", (state) => {
    expect(paint("extract", state, false)).toBe("extract");
  });

  it.each(TASK_STATES.map((state) => [state]))("%s adds escape codes with colour on", (state) => {
    expect(paint("extract", state, true)).not.toBe("extract");
    expect(paint("extract", state, true)).toContain("\u001b[");
  });

  it("uses Airflow's hex colours at truecolor", () => {
    expect(paint("x", "failed", 3)).toBe("\u001b[38;2;255;0;0mx\u001b[39m");
    expect(paint("x", "upstream_failed", 3)).toBe("\u001b[38;2;255;165;0mx\u001b[39m");
  });

  it("downsamples to the 16 basic colours at level 1", () => {
    expect(paint("x", "failed", 1)).toBe("\u001b[91mx\u001b[39m");
  });

  it("gives every task and run state its own symbol, in unicode and in ASCII", () => {
    for (const unicode of [true, false]) {
      const symbols = TASK_STATES.map((state) => stateSymbol(state, unicode));
      expect(new Set(symbols).size).toBe(TASK_STATES.length);
    }
    for (const state of RUN_STATES)
      expect(stateStyle(state, false).symbol).toBe(stateSymbol(state));
  });

  it("keeps ASCII symbols in plain ASCII", () => {
    for (const state of TASK_STATES) expect(stateSymbol(state, false)).toMatch(/^[\x21-\x7e]$/);
  });

  it("formats a state as symbol and name", () => {
    expect(formatState("success", false)).toBe("✔ success");
    expect(formatState("upstream_failed", false, false)).toBe("^ upstream_failed");
  });
});
