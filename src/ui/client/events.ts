import { useEffect, useRef } from "preact/hooks";
import { token } from "./api.js";
import type { DagRunJson } from "./types.js";

// One EventSource for the page (GET /api/events): views subscribe to `run` and `dags` events and
// patch what they show in place. EventSource reconnects by itself after a server restart.

type RunListener = (run: DagRunJson) => void;
type DagsListener = () => void;

const runListeners = new Set<RunListener>();
const dagsListeners = new Set<DagsListener>();
let source: EventSource | null = null;

/** Opens the stream once; the token goes in the query since EventSource cannot set headers. */
export function connectEvents(): void {
  if (source !== null) return;
  source = new EventSource(`/api/events?token=${encodeURIComponent(token())}`);
  source.addEventListener("run", (event) => {
    let run: DagRunJson;
    try {
      run = JSON.parse((event as MessageEvent<string>).data) as DagRunJson;
    } catch {
      return;
    }
    for (const listener of runListeners) listener(run);
  });
  source.addEventListener("dags", () => {
    for (const listener of dagsListeners) listener();
  });
}

/** Calls `listener` for every run event of `dag` while the component is mounted. */
export function useRunEvents(dag: string | null, listener: RunListener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const forward: RunListener = (run) => {
      if (dag === null || run.dag_id === dag) latest.current(run);
    };
    runListeners.add(forward);
    return () => void runListeners.delete(forward);
  }, [dag]);
}

export function useDagsEvents(listener: DagsListener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const forward: DagsListener = () => latest.current();
    dagsListeners.add(forward);
    return () => void dagsListeners.delete(forward);
  }, []);
}
