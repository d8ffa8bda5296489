const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` when `signal` aborts, until the returned function is called. One listener
 * per signal, whatever the number of tries: a run's tries share its signal, and an
 * EventTarget's addEventListener + removeEventListener cost about 20 µs a try (bench W1).
 * Like addEventListener, a signal that has already aborted never calls back.
 */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = watchers.get(signal);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    callbacks = set;
    watchers.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        const pending = [...set];
        set.clear();
        for (const pendingCallback of pending) pendingCallback();
      },
      { once: true },
    );
  }
  const set = callbacks;
  set.add(callback);
  return () => set.delete(callback);
}
