import { STATE_LOOKS, type AnyState } from "../../palette/state-palette.js";

// A state as the page draws it: the palette's colour through a `state-<name>` class (app.css; CSP
// allows no inline styles), and its symbol so the state reads without colour too.

export function stateClass(state: string | null | undefined): string {
  return `state-${state ?? "none"}`;
}

export function stateSymbol(state: string | null | undefined): string {
  return STATE_LOOKS[(state ?? "none") as AnyState]?.unicode ?? "?";
}

/** Beside the state of a run or try lost with its flow process (RunJson.lost_at). */
export function LostBadge(props: { readonly title: string }) {
  return (
    <span class="badge lost" title={props.title}>
      lost
    </span>
  );
}

export function StateBadge(props: { readonly state: string | null | undefined }) {
  const state = props.state ?? "none";
  return (
    <span class={`badge ${stateClass(state)}`} data-state={state}>
      {stateSymbol(state)} {state}
    </span>
  );
}
