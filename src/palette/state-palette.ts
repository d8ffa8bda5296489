import type { RunState, TaskState } from "../core/states.js";

/** Any state flow draws: task instance states, plus run states (whose names are a subset). */
export type AnyState = TaskState | RunState;

/** How one state looks in every surface: its colour, and a symbol that carries it without colour. */
export interface StateLook {
  /** Airflow's `State.state_color`, as hex; null draws the state dim (terminal) or plain (web). */
  readonly hex: string | null;
  readonly unicode: string;
  readonly ascii: string;
}

/**
 * Airflow's UI palette (airflow/utils/state.py), shared by the terminal (src/cli/render/colors.ts)
 * and the web view's client (bundled from here). `none` is lightblue in Airflow; we dim it
 * instead, so tasks that have not started recede next to the ones that have. Pure data: the
 * browser bundle imports it, so it imports nothing but types.
 */
export const STATE_LOOKS: Readonly<Record<AnyState, StateLook>> = {
  none: { hex: null, unicode: "○", ascii: "." },
  scheduled: { hex: "#D2B48C", unicode: "◌", ascii: ":" },
  queued: { hex: "#808080", unicode: "◔", ascii: "o" },
  running: { hex: "#00FF00", unicode: "●", ascii: "*" },
  success: { hex: "#008000", unicode: "✔", ascii: "+" },
  failed: { hex: "#FF0000", unicode: "✘", ascii: "x" },
  upstream_failed: { hex: "#FFA500", unicode: "↑", ascii: "^" },
  skipped: { hex: "#FF69B4", unicode: "↷", ascii: "-" },
  up_for_retry: { hex: "#FFD700", unicode: "↻", ascii: "~" },
  up_for_reschedule: { hex: "#40E0D0", unicode: "◷", ascii: "%" },
  removed: { hex: "#D3D3D3", unicode: "⊘", ascii: "/" },
};

/** The order states are listed in (legend, counts): the happy path first, then the rest. */
export const STATE_ORDER: readonly TaskState[] = [
  "success",
  "failed",
  "upstream_failed",
  "skipped",
  "up_for_retry",
  "up_for_reschedule",
  "running",
  "queued",
  "scheduled",
  "none",
  "removed",
];
