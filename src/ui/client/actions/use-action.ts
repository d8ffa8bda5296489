import { useState } from "preact/hooks";
import { showError, showMessage } from "../message.js";

/** Runs a POST at most once at a time; reports its outcome in #message. */
export function useAction(): {
  readonly busy: boolean;
  readonly run: <T>(action: () => Promise<T>, done: (result: T) => string) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const run = async <T>(action: () => Promise<T>, done: (result: T) => string) => {
    if (busy) return;
    setBusy(true);
    try {
      const result = await action();
      showMessage({ kind: "ok", text: done(result) });
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
