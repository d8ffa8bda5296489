import { STATE_ORDER } from "../../palette/state-palette.js";
import { stateClass, stateSymbol } from "./state-badge.js";

/** The states in the terminal's legend order, each with its colour and symbol. */
export function Legend() {
  return (
    <ul class="legend" aria-label="States">
      {STATE_ORDER.map((state) => (
        <li key={state}>
          <span class={`swatch ${stateClass(state)}`}>{stateSymbol(state)}</span> {state}
        </li>
      ))}
    </ul>
  );
}
