import { Chalk, type ChalkInstance, type ColorSupportLevel } from "chalk";
import type { RunState, TaskState } from "../../core/states.js";

/** `false` = no escape codes, `true` = truecolor, or an explicit chalk level the caller detected. */
export type ColorOption = boolean | ColorSupportLevel;

/** Any state we draw: task instance states, plus run states (whose names are a subset). */
export type AnyState = TaskState | RunState;

/** How one state looks: a symbol that carries the meaning without colour, and a painter. */
export interface StateStyle {
  readonly symbol: string;
  readonly paint: (text: string) => string;
}

interface StateLook {
  /** Airflow's `State.state_color`, as hex; null draws the text dim instead. */
  readonly hex: string | null;
  readonly unicode: string;
  readonly ascii: string;
}

// Airflow's UI palette (airflow/utils/state.py). `none` is lightblue in Airflow; we dim it
// instead, so tasks that have not started recede next to the ones that have.
const LOOKS: Readonly<Record<AnyState, StateLook>> = {
  none: { hex: null, unicode: "○", ascii: "." },
  scheduled: { hex: "#D2B48C", unicode: "◌", ascii: ":" },
  queued: { hex: "#808080", unicode: "◔", ascii: "o" },
  running: { hex: "#00FF00", unicode: "●", ascii: "*" },
  success: { hex: "#008000", unicode: "✔", ascii: "+" },
  failed: { hex: "#FF0000", unicode: "✘", ascii: "x" },
  upstream_failed: { hex: "#FFA500", unicode: "↑", ascii: "^" },
  skipped: { hex: "#FF69B4", unicode: "↷", ascii: "-" },
  up_for_retry: { hex: "#FFD700", unicode: "↻", ascii: "~" },
  removed: { hex: "#D3D3D3", unicode: "⊘", ascii: "/" },
};

/** The order states are listed in (legend, counts): the happy path first, then the rest. */
export const STATE_ORDER: readonly TaskState[] = [
  "success",
  "failed",
  "upstream_failed",
  "skipped",
  "up_for_retry",
  "running",
  "queued",
  "scheduled",
  "none",
  "removed",
];

const chalks = new Map<ColorSupportLevel, ChalkInstance>();

/** A chalk instance for the option, built once per level; never reads the environment. */
export function chalkFor(color: ColorOption): ChalkInstance {
  const level = levelOf(color);
  let instance = chalks.get(level);
  if (instance === undefined) {
    instance = new Chalk({ level });
    chalks.set(level, instance);
  }
  return instance;
}

/** The chalk level a colour option stands for. */
function levelOf(color: ColorOption): ColorSupportLevel {
  return color === true ? 3 : color === false ? 0 : color;
}

/** Symbol for a state; `unicode: false` gives a one-character ASCII stand-in for dumb terminals. */
export function stateSymbol(state: AnyState, unicode = true): string {
  const look = LOOKS[state];
  return unicode ? look.unicode : look.ascii;
}

const styles = new Map<string, StateStyle>();

/** Symbol and painter for a state at the given colour setting, cached: `chalk.hex()` is slow to build. */
export function stateStyle(state: AnyState, color: ColorOption, unicode = true): StateStyle {
  const key = `${levelOf(color)}:${state}:${unicode}`;
  let style = styles.get(key);
  if (style === undefined) {
    const look = LOOKS[state];
    const c = chalkFor(color);
    const painter = look.hex === null ? c.dim : c.hex(look.hex);
    style = { symbol: unicode ? look.unicode : look.ascii, paint: (text) => painter(text) };
    styles.set(key, style);
  }
  return style;
}

/** `text` in the colour of `state` (unchanged when colour is off). */
export function paint(text: string, state: AnyState, color: ColorOption): string {
  return stateStyle(state, color).paint(text);
}

/** Secondary text (reasons, connectors, hints): dim, or unchanged when colour is off. */
export function dim(text: string, color: ColorOption): string {
  return chalkFor(color).dim(text);
}

/** Headings and emphasis. */
export function bold(text: string, color: ColorOption): string {
  return chalkFor(color).bold(text);
}

/** `✔ success`, painted: the usual way a state appears in a line of output. */
export function formatState(state: AnyState, color: ColorOption, unicode = true): string {
  const style = stateStyle(state, color, unicode);
  return style.paint(`${style.symbol} ${state}`);
}
