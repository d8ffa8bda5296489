import { join } from "node:path";
import { Low } from "lowdb";
import { AtomicJsonAdapter } from "./atomic-json-adapter.js";
import { STATE_VERSION } from "./state-store.js";
import { unreadableStateFile } from "./state-file-errors.js";
import { LAYOUT_MARKER } from "./state-paths.js";

/** `flow-state.json`: says which layout the state dir uses, so a future flow can migrate it. */
export interface LayoutMarker {
  readonly version: number;
}

// Accepts the marker of the layout this flow writes, or says why not.
function checkMarker(value: unknown, path: string): LayoutMarker {
  const version = (value as Partial<LayoutMarker> | null)?.version;
  if (typeof value !== "object" || value === null || typeof version !== "number") {
    throw unreadableStateFile(path, `not a layout marker (expected {"version": ${STATE_VERSION}})`);
  }
  if (version !== STATE_VERSION) {
    throw unreadableStateFile(
      path,
      `state version ${version}, this flow reads version ${STATE_VERSION}`,
    );
  }
  return { version };
}

// The marker as a lowdb database; its data stays null when the file does not exist.
function markerDb(stateDir: string): Low<LayoutMarker | null> {
  const path = join(stateDir, LAYOUT_MARKER);
  return new Low<LayoutMarker | null>(
    new AtomicJsonAdapter<LayoutMarker | null>(path, checkMarker),
    null,
  );
}

/**
 * Checks the state dir's layout marker without writing anything: a reader accepts a state dir
 * without one (nothing was written there yet) and refuses one of another layout version.
 */
export async function checkLayoutMarker(stateDir: string): Promise<void> {
  await markerDb(stateDir).read();
}

/**
 * Checks the state dir's layout marker, writing it into a new state dir. Two processes
 * starting on an empty dir both write the same bytes atomically, so the race is harmless.
 */
export async function ensureLayoutMarker(stateDir: string): Promise<void> {
  const db = markerDb(stateDir);
  await db.read();
  if (db.data !== null) return;
  db.data = { version: STATE_VERSION };
  await db.write();
}
