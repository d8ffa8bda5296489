import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { getJson } from "./api.js";
import { showError } from "./message.js";

export interface Loaded<T> {
  readonly data: T | null;
  readonly failed: boolean;
  /** Fetches again, keeping the shown data until the answer arrives (no blank flash). */
  readonly reload: () => void;
  /** Patches the shown data in place (live events). */
  readonly update: (change: (data: T) => T) => void;
}

/** GETs `path` when it changes; an answer to an older path than the current one is dropped. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [failed, setFailed] = useState(false);
  const wanted = useRef(path);
  wanted.current = path;

  const load = useCallback(() => {
    if (path === null) return;
    getJson<T>(path).then(
      (answer) => {
        if (wanted.current !== path) return;
        setData(answer);
        setFailed(false);
      },
      (error: unknown) => {
        if (wanted.current !== path) return;
        setFailed(true);
        showError(error);
      },
    );
  }, [path]);

  useEffect(load, [load]);
  const update = useCallback((change: (data: T) => T) => {
    setData((shown) => (shown === null ? shown : change(shown)));
  }, []);
  return { data, failed, reload: load, update };
}
