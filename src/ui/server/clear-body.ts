import type { ClearSelection } from "../../core/clear.js";
import { UsageError } from "../../errors.js";
import type { ClearRequest } from "../../ops/clear.js";
import { parseDagDate } from "../../ops/parse-date.js";
import { booleanField, idParam, onlyFields, stringField } from "./request-input.js";

const CLEAR_FIELDS = ["run_id", "start", "end", "task", "only_failed", "downstream", "upstream"];

/**
 * A clear's body as the CLI's flags: `run_id` (--run), `start`/`end` (--start/--end, inclusive),
 * `task` (--task, a regex), `only_failed`, `downstream`, `upstream`; the same checks and messages.
 * Dates without an offset are wall time in the DAG's `timezone`, as the CLI reads them. `extra`
 * names further fields the route takes (the apply's fingerprint).
 */
export function parseClearBody(
  body: Record<string, unknown>,
  timezone: string,
  extra: readonly string[] = [],
): ClearRequest {
  onlyFields(body, [...CLEAR_FIELDS, ...extra]);
  const runId = stringField(body, "run_id");
  const startText = stringField(body, "start");
  const endText = stringField(body, "end");
  if (runId !== undefined && (startText !== undefined || endText !== undefined))
    throw new UsageError("run_id selects one run: it takes no start or end");
  const start = startText === undefined ? undefined : parseDagDate("start", startText, timezone);
  const end = endText === undefined ? undefined : parseDagDate("end", endText, timezone);
  if (start && end && start > end)
    throw new UsageError(`start ${startText} is after end ${endText}: nothing could match`);
  return {
    ...(runId !== undefined && { runId: idParam("run", runId) }),
    range: { ...(start && { start }), ...(end && { end }) },
    selection: parseSelection(body),
  };
}

function parseSelection(body: Record<string, unknown>): ClearSelection {
  const task = stringField(body, "task");
  let taskPattern: RegExp | undefined;
  if (task !== undefined && task !== "") {
    try {
      taskPattern = new RegExp(task);
    } catch (error) {
      throw new UsageError(
        `task "${task}" is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  return {
    ...(taskPattern && { taskPattern }),
    ...(booleanField(body, "only_failed") && { onlyFailed: true }),
    ...(booleanField(body, "upstream") && { upstream: true }),
    ...(booleanField(body, "downstream") && { downstream: true }),
  };
}
