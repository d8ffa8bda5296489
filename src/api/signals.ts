const SKIP = Symbol.for("flow.skip");
const FAIL = Symbol.for("flow.fail");
const RESCHEDULE = Symbol.for("flow.reschedule");

/**
 * Thrown by a function task to skip itself (Airflow's AirflowSkipException): the task ends
 * `skipped` with this message as its reason, and the skip cascades through trigger rules.
 */
export class SkipTask extends Error {
  readonly [SKIP] = true;
  constructor(reason = "skipped by the task") {
    super(reason);
    this.name = "SkipTask";
  }
}

/**
 * Thrown by a function task to fail at once, without its remaining retries (Airflow's
 * AirflowFailException): for errors a retry cannot fix, such as bad configuration.
 */
export class FailTask extends Error {
  readonly [FAIL] = true;
  constructor(message: string) {
    super(message);
    this.name = "FailTask";
  }
}

/** True for SkipTask errors, also those made by another copy of this module. */
export function isSkipTask(value: unknown): value is SkipTask {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SKIP] === true
  );
}

/** True for FailTask errors, also those made by another copy of this module. */
export function isFailTask(value: unknown): value is FailTask {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FAIL] === true
  );
}

/**
 * Thrown by a reschedule-mode sensor whose poke was not done (Airflow's
 * AirflowRescheduleException): the try ends up_for_reschedule and the task gives its slot back
 * until its next poke. Internal to sensor(): only a sensor task may throw it.
 */
export class RescheduleSensor extends Error {
  readonly [RESCHEDULE] = true;
  constructor() {
    super("not done yet: poke again later");
    this.name = "RescheduleSensor";
  }
}

/** True for RescheduleSensor errors, also those made by another copy of this module. */
export function isRescheduleSensor(value: unknown): value is RescheduleSensor {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[RESCHEDULE] === true
  );
}
