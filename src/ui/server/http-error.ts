import { EXIT, FlowError, LockError, NotFoundError, StateFileError } from "../../errors.js";
import { PlanChangedError } from "../../ops/clear.js";
import { DateTakenError } from "../../ops/trigger-run.js";

/** A refusal of the server itself (bad token, host or origin, a run it is starting). */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** An error as the API answers it: a status and `{error, hint?}`. */
export interface ErrorReply {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 500;
  readonly body: { readonly error: string; readonly hint?: string };
}

/**
 * The HTTP form of an error, as src/cli/main.ts turns errors into exit codes: an unknown name is
 * 404, a refused or stale action (a run held by a live process, a changed clear plan, a date
 * that has its run) 409, and so is a state file flow cannot read: the request conflicts with the
 * state as stored, which the user can fix (RFC 9110's 409), not a fault of the server. A body over
 * the limit is 413, other bad input 400, a pipeline flow cannot load 500 with its message.
 * Anything else is a bug: 500 "internal error", its message kept off the wire (the server logs it).
 */
export function toErrorReply(error: unknown): ErrorReply {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
  if (!(error instanceof FlowError)) return { status: 500, body: { error: "internal error" } };
  const body = { error: error.message, ...(error.hint !== undefined && { hint: error.hint }) };
  if (error instanceof NotFoundError) return { status: 404, body };
  if (
    error instanceof LockError ||
    error instanceof PlanChangedError ||
    error instanceof DateTakenError ||
    error instanceof StateFileError
  )
    return { status: 409, body };
  if (error.exitCode === EXIT.usage) return { status: 400, body };
  return { status: 500, body };
}
