import type { Hono } from "hono";
import { dagGrid } from "../../ops/dag-grid.js";
import { dagWithRun } from "../../ops/dag-graph-run.js";
import { listDags } from "../../ops/list-dags.js";
import { readRun } from "../../ops/read-run.js";
import { taskDurations } from "../../ops/task-durations.js";
import { toDagJson, toDagListJson } from "./dag-json.js";
import { layOutGraph } from "./graph-layout.js";
import { idParam, intQuery } from "./request-input.js";
import { toDagRunJson, toRunJson } from "./run-json.js";
import type { ServerContext } from "./server-context.js";

// The DAG list shows this many runs of each DAG, the grid this many a page (Airflow's 25).
const LAST_RUNS = 10;
const PAGE = 25;
const MAX_PAGE = 100;

/** The views' reads: each calls one ops function and sends its data as the contract's JSON. */
export function addReadRoutes(app: Hono, { workspace }: ServerContext): void {
  app.get("/api/dags", async (c) =>
    c.json(
      toDagListJson(await listDags(workspace, { lastRuns: LAST_RUNS, perDagStateErrors: true })),
    ),
  );

  app.get("/api/dags/:dag/grid", async (c) => {
    const offset = intQuery(c, "offset", 0, 0);
    const limit = Math.min(intQuery(c, "limit", PAGE, 1), MAX_PAGE);
    const grid = await dagGrid(workspace, idParam("dag", c.req.param("dag")), { offset, limit });
    return c.json({
      dag: toDagJson(grid.dag),
      total: grid.total,
      offset,
      limit,
      runs: grid.runs.map(toRunJson),
    });
  });

  app.get("/api/dags/:dag/graph", async (c) => {
    const runId = c.req.query("run");
    const { dag, run } = await dagWithRun(
      workspace,
      idParam("dag", c.req.param("dag")),
      runId === undefined || runId === "" ? undefined : idParam("run", runId),
    );
    return c.json(layOutGraph(dag, run));
  });

  app.get("/api/dags/:dag/runs/:run", async (c) => {
    const dagId = idParam("dag", c.req.param("dag"));
    return c.json(
      toDagRunJson(await readRun(workspace, dagId, idParam("run", c.req.param("run")))),
    );
  });

  app.get("/api/dags/:dag/durations", async (c) => {
    const taskId = idParam("task", c.req.query("task"));
    const limit = Math.min(intQuery(c, "limit", 50, 1), 1000);
    const points = await taskDurations(
      workspace,
      idParam("dag", c.req.param("dag")),
      taskId,
      limit,
    );
    return c.json({
      task_id: taskId,
      points: points.map(({ runId, logicalDate, instance, lost }) => ({
        run_id: runId,
        logical_date: logicalDate,
        state: instance.state,
        duration_ms: instance.duration_ms,
        try_number: instance.try_number,
        lost,
      })),
    });
  });
}
