import { Chalk, type ChalkInstance, type ColorSupportLevel } from "chalk";
import { STATE_LOOKS, type AnyState } from "../../palette/state-palette.js";

export type { AnyState } from "../../palette/state-palette.js";
export { STATE_ORDER } from "../../palette/state-palette.js";

/** `false` = no escape codes, `true` = truecolor, or an explicit chalk level the caller detected. */
export type ColorOption = boolean | ColorSupportLevel;

/** How one state looks: a symbol that carries the meaning without colour, and a painter. */
export interface StateStyle {
  readonly symbol: string;
  readonly paint: (text: string) => string;
}

const LOOKS = STATE_LOOKS;

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
