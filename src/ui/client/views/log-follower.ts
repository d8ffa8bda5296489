import { useEffect, useRef, useState } from "preact/hooks";
import { apiPath, getJson } from "../api.js";
import { useRunEvents } from "../events.js";
import { isActive } from "../format.js";
import { showError } from "../message.js";
import type { LogChunkJson } from "../types.js";

export interface LogView {
  readonly text: string;
  readonly offset: number;
  readonly tryNumber: number | null;
  readonly tries: number;
  readonly state: string | null;
  readonly exists: boolean | null;
  /** Bytes at the start of the file not shown: a big log opens on its tail. */
  readonly skipped: number;
}

const EMPTY: LogView = {
  text: "",
  offset: 0,
  tryNumber: null,
  tries: 0,
  state: null,
  exists: null,
  skipped: 0,
};
const POLL_MS = 1000;
// A log bigger than this opens on its last 256 KiB (the rest: the raw link), so a page never
// reads a huge file whole.
const TAIL_BYTES = 256 * 1024;

/**
 * Follows one try's log: reads from the offset it has (never the whole file again), keeps reading
 * while a chunk leaves more, then polls every second (and on the run's SSE events) while the task
 * is running or waiting, because a log append changes no file the server watches.
 */
export function useLogFollower(
  dag: string,
  run: string,
  task: string,
  wantedTry: number | null,
): LogView {
  const [view, setView] = useState<LogView>(EMPTY);
  const live = useRef({ view: EMPTY, busy: false, timer: 0, stopped: false, poke: () => {} });

  useEffect(() => {
    const state = { view: EMPTY, busy: false, timer: 0, stopped: false, poke: () => {} };
    live.current = state;
    setView(EMPTY);
    const base = apiPath("dags", dag, "runs", run, "tasks", task, "log");

    const read = async (): Promise<void> => {
      if (state.busy || state.stopped) return;
      state.busy = true;
      window.clearTimeout(state.timer);
      try {
        let more = true;
        while (more && !state.stopped) {
          const tryNumber = state.view.tryNumber ?? wantedTry;
          const query =
            `?offset=${state.view.offset}` + (tryNumber !== null ? `&try=${tryNumber}` : "");
          const chunk = await getJson<LogChunkJson>(base + query);
          if (state.stopped) return;
          // Following the latest try: a new try starts a new file, so start from its beginning.
          if (
            wantedTry === null &&
            state.view.tryNumber !== null &&
            chunk.tries > state.view.tryNumber
          ) {
            state.view = { ...EMPTY, tryNumber: chunk.tries };
            continue;
          }
          if (state.view.offset === 0 && chunk.size - chunk.offset > TAIL_BYTES) {
            const skipped = chunk.size - TAIL_BYTES;
            state.view = { ...state.view, offset: skipped, skipped, tryNumber: chunk.try_number };
            continue;
          }
          state.view = {
            text: state.view.text + chunk.data,
            offset: chunk.next_offset,
            tryNumber: chunk.try_number,
            tries: chunk.tries,
            state: chunk.state,
            exists: chunk.exists,
            skipped: state.view.skipped,
          };
          setView(state.view);
          more = chunk.data.length > 0 && chunk.next_offset < chunk.size;
        }
      } catch (error) {
        showError(error);
      } finally {
        state.busy = false;
      }
      if (!state.stopped && (isActive(state.view.state) || state.view.state === null)) {
        state.timer = window.setTimeout(() => void read(), POLL_MS);
      }
    };
    state.poke = () => void read();
    void read();
    return () => {
      state.stopped = true;
      window.clearTimeout(state.timer);
    };
  }, [dag, run, task, wantedTry]);

  useRunEvents(dag, (event) => {
    if (event.run_id === run) live.current.poke();
  });
  return view;
}
