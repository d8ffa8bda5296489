import { useEffect, useRef } from "preact/hooks";

/**
 * Wraps `action` so that a burst of calls (SSE events while a backfill runs) runs it once, `ms`
 * after the first; a page refetches once per burst rather than once per event.
 */
export function useCoalesced(action: () => void, ms = 200): () => void {
  const latest = useRef(action);
  latest.current = action;
  const timer = useRef<number | null>(null);
  useEffect(() => () => void (timer.current !== null && window.clearTimeout(timer.current)), []);
  return () => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  };
}
