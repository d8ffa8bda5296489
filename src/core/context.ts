import type { Json } from "./json.js";
import type { DagRun, RunType } from "./run.js";

/**
 * What a task knows about its run; src/api re-exports it for pipeline authors. Values reach
 * bash tasks as `FLOW_*` variables (contextEnv).
 */
export interface RunContext {
  readonly dagId: string;
  readonly runId: string;
  readonly runType: RunType;
  readonly taskId: string;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly tryNumber: number;
  readonly maxTries: number;
  /** Start of the data interval, ISO 8601 in UTC (`2026-01-01T00:00:00.000Z`). */
  readonly logicalDate: string;
  /** Logical date as `YYYY-MM-DD`. */
  readonly ds: string;
  /** Logical date as `YYYYMMDD`. */
  readonly dsNodash: string;
  /** Logical date as `YYYY-MM-DDTHH:MM:SS+00:00` (Airflow's `ts`). */
  readonly ts: string;
  /** Logical date as `YYYYMMDDTHHMMSS`. */
  readonly tsNodash: string;
  readonly dataIntervalStart: string;
  readonly dataIntervalEnd: string;
  /**
   * The schedule's intervals before and after this run's (Airflow's prev_/next_ data intervals
   * and `next_ds`); null when the DAG has no periodic schedule.
   */
  readonly prevDataIntervalStart: string | null;
  readonly prevDataIntervalEnd: string | null;
  readonly nextDataIntervalStart: string | null;
  readonly nextDataIntervalEnd: string | null;
  /** The DAG's params, overridden by `--param key=value` for this run. */
  readonly params: Readonly<Record<string, Json>>;
}

/** The intervals around a run's, from the DAG's timetable (see dag-timetable.ts). */
export interface NeighbourIntervals {
  readonly previous: { readonly start: Date; readonly end: Date } | null;
  readonly next: { readonly start: Date; readonly end: Date } | null;
}

/** The part of a run's context that is the same for every try of every task. */
export type RunContextBase = Omit<RunContext, "taskId" | "tryNumber" | "maxTries">;

/**
 * The context of try `tryNumber` (1-based) of `taskId` in `run`. Dates are read in UTC:
 * ds `2026-01-01`, ts `2026-01-01T00:00:00+00:00` (Airflow's form, milliseconds dropped),
 * tsNodash `20260101T000000`. Throws RangeError when the run's dates are not valid ISO strings.
 */
export function buildRunContext(
  run: DagRun,
  taskId: string,
  tryNumber: number,
  maxTries: number,
  neighbours: NeighbourIntervals = { previous: null, next: null },
): RunContext {
  return contextForTry(buildRunContextBase(run, neighbours), taskId, tryNumber, maxTries);
}

/**
 * What buildRunContext computes from the run alone (the date strings), for a runner to build
 * once per run rather than once per try. Throws RangeError for invalid ISO dates.
 */
export function buildRunContextBase(
  run: DagRun,
  neighbours: NeighbourIntervals = { previous: null, next: null },
): RunContextBase {
  const logicalDate = new Date(run.logical_date).toISOString();
  const ds = logicalDate.slice(0, 10);
  const seconds = logicalDate.slice(0, 19);
  return {
    dagId: run.dag_id,
    runId: run.run_id,
    runType: run.run_type,
    logicalDate,
    ds,
    dsNodash: ds.replaceAll("-", ""),
    ts: `${seconds}+00:00`,
    tsNodash: seconds.replaceAll("-", "").replaceAll(":", ""),
    dataIntervalStart: new Date(run.data_interval_start).toISOString(),
    dataIntervalEnd: new Date(run.data_interval_end).toISOString(),
    prevDataIntervalStart: neighbours.previous?.start.toISOString() ?? null,
    prevDataIntervalEnd: neighbours.previous?.end.toISOString() ?? null,
    nextDataIntervalStart: neighbours.next?.start.toISOString() ?? null,
    nextDataIntervalEnd: neighbours.next?.end.toISOString() ?? null,
    params: run.params,
  };
}

/**
 * The context of one try from its run's base. Fields are listed one by one, in RunContext's
 * order, rather than spread: V8 builds such a literal on its fast path.
 */
export function contextForTry(
  base: RunContextBase,
  taskId: string,
  tryNumber: number,
  maxTries: number,
): RunContext {
  return {
    dagId: base.dagId,
    runId: base.runId,
    runType: base.runType,
    taskId,
    tryNumber,
    maxTries,
    logicalDate: base.logicalDate,
    ds: base.ds,
    dsNodash: base.dsNodash,
    ts: base.ts,
    tsNodash: base.tsNodash,
    dataIntervalStart: base.dataIntervalStart,
    dataIntervalEnd: base.dataIntervalEnd,
    prevDataIntervalStart: base.prevDataIntervalStart,
    prevDataIntervalEnd: base.prevDataIntervalEnd,
    nextDataIntervalStart: base.nextDataIntervalStart,
    nextDataIntervalEnd: base.nextDataIntervalEnd,
    params: base.params,
  };
}

/**
 * The context as `FLOW_*` environment variables for bash tasks; FLOW_PARAMS is the params as
 * JSON; the previous/next interval variables are set only when the DAG has a periodic schedule.
 */
export function contextEnv(ctx: RunContext): Record<string, string> {
  const around: Record<string, string> = {};
  if (ctx.prevDataIntervalStart !== null)
    around.FLOW_PREV_DATA_INTERVAL_START = ctx.prevDataIntervalStart;
  if (ctx.prevDataIntervalEnd !== null)
    around.FLOW_PREV_DATA_INTERVAL_END = ctx.prevDataIntervalEnd;
  if (ctx.nextDataIntervalStart !== null)
    around.FLOW_NEXT_DATA_INTERVAL_START = ctx.nextDataIntervalStart;
  if (ctx.nextDataIntervalEnd !== null)
    around.FLOW_NEXT_DATA_INTERVAL_END = ctx.nextDataIntervalEnd;
  return {
    ...around,
    FLOW_DAG_ID: ctx.dagId,
    FLOW_RUN_ID: ctx.runId,
    FLOW_RUN_TYPE: ctx.runType,
    FLOW_TASK_ID: ctx.taskId,
    FLOW_TRY_NUMBER: String(ctx.tryNumber),
    FLOW_MAX_TRIES: String(ctx.maxTries),
    FLOW_LOGICAL_DATE: ctx.logicalDate,
    FLOW_DS: ctx.ds,
    FLOW_DS_NODASH: ctx.dsNodash,
    FLOW_TS: ctx.ts,
    FLOW_TS_NODASH: ctx.tsNodash,
    FLOW_DATA_INTERVAL_START: ctx.dataIntervalStart,
    FLOW_DATA_INTERVAL_END: ctx.dataIntervalEnd,
    FLOW_PARAMS: JSON.stringify(ctx.params),
  };
}

/**
 * Airflow's run id: `manual__2026-01-01T00:00:00+00:00`, the logical date in UTC to the second.
 * `withMillis` keeps milliseconds (`...T00:00:00.123+00:00`), for two manual runs in one second.
 * Throws RangeError for an invalid Date.
 */
export function formatRunId(runType: RunType, logicalDate: Date, withMillis = false): string {
  const iso = logicalDate.toISOString();
  return `${runType}__${iso.slice(0, withMillis ? 23 : 19)}+00:00`;
}
