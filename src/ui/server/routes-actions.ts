import type { Hono } from "hono";
import type { Json } from "../../core/json.js";
import { MARK_STATES, type MarkState } from "../../core/mark.js";
import { UsageError } from "../../errors.js";
import { applyClear, plannedInstances, previewClear } from "../../ops/clear.js";
import { loadDag } from "../../ops/load-dag.js";
import { markTask } from "../../ops/mark.js";
import { prepareRetry } from "../../ops/retry.js";
import { triggerRun } from "../../ops/trigger-run.js";
import { parseDagDate, parseDate } from "../../ops/parse-date.js";
import { parseClearBody } from "./clear-body.js";
import { HttpError } from "./http-error.js";
import { booleanField, idParam, jsonBody, onlyFields, stringField } from "./request-input.js";
import { RunLaunches } from "./run-launches.js";
import type { ServerContext } from "./server-context.js";
import { stateIn } from "../../core/upstream-tally.js";

/**
 * The actions, each a POST through the ops function the CLI's command calls, with the CLI's
 * rules and messages. A run created, cleared or retried is executed by a detached `flow run`;
 * until that process exits, retry, mark and clear refuse its run (409, see RunLaunches).
 */
export function addActionRoutes(app: Hono, context: ServerContext): void {
  const { workspace } = context;
  const launches = new RunLaunches(context.launcher, workspace);
  const execute = (dagId: string, runId: string) => launches.start(dagId, runId);

  app.post("/api/dags/:dag/runs", async (c) => {
    const dagId = idParam("dag", c.req.param("dag"));
    const body = await jsonBody(c);
    onlyFields(body, ["date", "params"]);
    const dateText = stringField(body, "date");
    const hasDate = dateText !== undefined && dateText !== "";
    if (hasDate) parseDate("date", dateText); // a bad date fails before anything loads
    const params = body.params ?? {};
    if (typeof params !== "object" || params === null || Array.isArray(params))
      throw new UsageError('"params" must be a JSON object');
    const { loaded } = await loadDag(workspace, dagId);
    // As flow run --date: without an offset, wall time in the DAG's timezone.
    const date = hasDate ? parseDagDate("date", dateText, loaded.dag.timezone) : undefined;
    const request = { ...(date && { date }), params: params as Record<string, Json> };
    const run = await triggerRun(workspace, loaded, request);
    execute(dagId, run.run_id);
    return c.json({ run_id: run.run_id }, 201);
  });

  app.post("/api/dags/:dag/clear/preview", async (c) => {
    const dagId = idParam("dag", c.req.param("dag"));
    const body = await jsonBody(c);
    parseClearBody(body, "UTC"); // bad input fails before anything loads
    const { loaded } = await loadDag(workspace, dagId);
    const request = parseClearBody(body, loaded.dag.timezone);
    const plan = await previewClear(workspace, loaded, request);
    return c.json({ fingerprint: plan.fingerprint, instances: plannedInstances(plan) });
  });

  app.post("/api/dags/:dag/clear", async (c) => {
    const dagId = idParam("dag", c.req.param("dag"));
    const body = await jsonBody(c);
    parseClearBody(body, "UTC", ["fingerprint"]); // bad input fails before anything loads
    const expected = stringField(body, "fingerprint");
    if (expected === undefined)
      throw new UsageError('"fingerprint" is missing: apply the plan of a preview');
    const { loaded } = await loadDag(workspace, dagId);
    const request = parseClearBody(body, loaded.dag.timezone, ["fingerprint"]);
    // Refused before the apply takes any run's lock, which a starting `flow run` would meet.
    if (request.runId !== undefined) launches.assertNotStarted(dagId, request.runId);
    else if (launches.isStartingAny(dagId))
      for (const entry of (await previewClear(workspace, loaded, request)).entries)
        launches.assertNotStarted(dagId, entry.run.run_id);
    const result = await applyClear(workspace, loaded, request, {
      expected,
      // Under the runs' locks, before anything is written.
      approve: (plan) => {
        for (const entry of plan.entries) launches.assertNotStarted(dagId, entry.run.run_id);
        return true;
      },
    });
    if (result.status !== "cleared") return c.json({ instances: [], runs: [] });
    const runs = result.plan.entries.map((entry) => entry.run.run_id);
    for (const runId of runs) execute(dagId, runId);
    return c.json({ instances: plannedInstances(result.plan), runs });
  });

  app.post("/api/dags/:dag/runs/:run/retry", async (c) => {
    const dagId = idParam("dag", c.req.param("dag"));
    const runId = idParam("run", c.req.param("run"));
    onlyFields(await jsonBody(c), []);
    launches.assertNotStarted(dagId, runId);
    const { loaded } = await loadDag(workspace, dagId);
    const prepared = await prepareRetry(workspace, loaded, runId);
    if (prepared.status !== "ready") {
      const run = prepared.status === "nothing_failed" ? prepared.run : undefined;
      throw new HttpError(
        409,
        `run ${run?.run_id ?? runId} is ${run?.state ?? "not failed"} with no failed or upstream_failed task: nothing to retry`,
      );
    }
    // A prefix or a date in the URL names the run only now (prepareRetry wrote nothing to a run
    // being started: it is queued with nothing failed, or locked).
    launches.assertNotStarted(dagId, prepared.run.run_id);
    execute(dagId, prepared.run.run_id);
    return c.json({
      run_id: prepared.run.run_id,
      cleared: prepared.cleared.map((ti) => ({ task_id: ti.task_id, state: ti.state })),
    });
  });

  app.post("/api/dags/:dag/runs/:run/mark", async (c) => {
    const dagId = idParam("dag", c.req.param("dag"));
    const runId = idParam("run", c.req.param("run"));
    const body = await jsonBody(c);
    onlyFields(body, ["task", "state", "upstream", "downstream"]);
    const taskId = idParam("task", stringField(body, "task"));
    const state = stringField(body, "state");
    if (!MARK_STATES.includes(state as MarkState))
      throw new UsageError(
        `"state" must be one of ${MARK_STATES.map((s) => `"${s}"`).join(", ")}, got ${JSON.stringify(state ?? null)}`,
      );
    launches.assertNotStarted(dagId, runId);
    const { loaded } = await loadDag(workspace, dagId);
    const result = await markTask(workspace, loaded, {
      runId,
      taskId,
      state: state as MarkState,
      ...(booleanField(body, "upstream") && { upstream: true }),
      ...(booleanField(body, "downstream") && { downstream: true }),
    });
    return c.json({
      run_id: result.runId,
      changed: result.changed.map((ti) => ({
        task_id: ti.task_id,
        was: stateIn(result.before.tasks, ti.task_id) ?? "none",
        now: ti.state,
      })),
      run_state: result.run.state,
    });
  });
}
