import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./api.js";

// One message line for the whole page (#message[data-kind]): the outcome of an action or an
// API error, kept until the next one or until the user navigates.

export interface Message {
  readonly kind: "ok" | "error";
  readonly text: string;
}

let current: Message | null = null;
const listeners = new Set<(message: Message | null) => void>();

export function showMessage(message: Message | null): void {
  current = message;
  for (const listener of listeners) listener(message);
}

/** Shows an error from the API (its message and hint) or anything else thrown. */
export function showError(error: unknown): void {
  if (error instanceof ApiError) {
    const hint = error.hint ? ` (${error.hint})` : "";
    showMessage({ kind: "error", text: error.message + hint });
  } else {
    showMessage({ kind: "error", text: error instanceof Error ? error.message : String(error) });
  }
}

export function MessageLine() {
  const [message, setMessage] = useState<Message | null>(current);
  useEffect(() => {
    listeners.add(setMessage);
    return () => void listeners.delete(setMessage);
  }, []);
  if (message === null) return null;
  return (
    <div id="message" data-kind={message.kind} role={message.kind === "error" ? "alert" : "status"}>
      <span>{message.text}</span>
      <button type="button" class="dismiss" onClick={() => showMessage(null)} title="Dismiss">
        ×
      </button>
    </div>
  );
}
