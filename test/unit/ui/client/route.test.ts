import { describe, expect, it } from "vitest";
import { href, parseRoute } from "../../../../src/ui/client/route.js";

const RUN = "manual__2026-01-05T00:00:00+00:00";

describe("the client's routes (ui-contract.md's page URLs)", () => {
  it.each([
    ["/", "", { view: "dags" }],
    ["/dags/etl", "", { view: "grid", dag: "etl" }],
    ["/dags/etl/graph", "", { view: "graph", dag: "etl", run: null }],
    ["/dags/etl/graph", `?run=${encodeURIComponent(RUN)}`, { view: "graph", dag: "etl", run: RUN }],
    [`/dags/etl/runs/${encodeURIComponent(RUN)}`, "", { view: "run", dag: "etl", run: RUN }],
    [
      `/dags/etl/runs/${encodeURIComponent(RUN)}/tasks/load/log`,
      "?try=2",
      { view: "log", dag: "etl", run: RUN, task: "load", tryNumber: 2 },
    ],
    [
      `/dags/etl/runs/${encodeURIComponent(RUN)}/tasks/load/log`,
      "?try=x",
      { view: "log", dag: "etl", run: RUN, task: "load", tryNumber: null },
    ],
    ["/dags/etl/durations", "?task=load", { view: "durations", dag: "etl", task: "load" }],
    ["/nope", "", { view: "not-found", path: "/nope" }],
    ["/dags/etl/runs/%E0%A4%A", "", { view: "not-found", path: "/dags/etl/runs/%E0%A4%A" }],
  ])("%s%s", (pathname, search, route) => {
    expect(parseRoute(pathname, search)).toEqual(route);
  });

  it("builds links that parse back to the same view (run ids keep their + and :)", () => {
    const [path, query] = href.log("etl", RUN, "load", 3).split("?");
    expect(path).not.toContain("+");
    expect(parseRoute(path!, `?${query}`)).toEqual({
      view: "log",
      dag: "etl",
      run: RUN,
      task: "load",
      tryNumber: 3,
    });
    const graph = new URL(href.graph("etl", RUN), "http://x");
    expect(parseRoute(graph.pathname, graph.search)).toEqual({
      view: "graph",
      dag: "etl",
      run: RUN,
    });
  });
});
