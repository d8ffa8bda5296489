// Routes on location.pathname (ui-contract.md's page URLs): every view has a stable URL that the
// server answers with the same shell, so a reload or a shared link opens the same view.

export type Route =
  | { readonly view: "dags" }
  | { readonly view: "grid"; readonly dag: string }
  | { readonly view: "graph"; readonly dag: string; readonly run: string | null }
  | { readonly view: "run"; readonly dag: string; readonly run: string }
  | {
      readonly view: "log";
      readonly dag: string;
      readonly run: string;
      readonly task: string;
      readonly tryNumber: number | null;
    }
  | { readonly view: "durations"; readonly dag: string; readonly task: string | null }
  | { readonly view: "not-found"; readonly path: string };

/** Parses a pathname and query into a route; segments are URI-decoded (run ids hold `+` and `:`). */
export function parseRoute(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  let parts: string[];
  try {
    parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { view: "not-found", path: pathname };
  }
  if (parts.length === 0) return { view: "dags" };
  const [first, dag, third, run, fifth, task, seventh] = parts;
  if (first !== "dags" || dag === undefined) return { view: "not-found", path: pathname };
  if (parts.length === 2) return { view: "grid", dag };
  if (parts.length === 3 && third === "graph") return { view: "graph", dag, run: query.get("run") };
  if (parts.length === 3 && third === "durations") {
    return { view: "durations", dag, task: query.get("task") };
  }
  if (third === "runs" && run !== undefined && parts.length === 4) return { view: "run", dag, run };
  if (third === "runs" && run !== undefined && fifth === "tasks" && task !== undefined) {
    if (parts.length === 7 && seventh === "log") {
      const tryText = query.get("try");
      const tryNumber = tryText !== null && /^\d+$/.test(tryText) ? Number(tryText) : null;
      return { view: "log", dag, run, task, tryNumber };
    }
  }
  return { view: "not-found", path: pathname };
}

const seg = encodeURIComponent;

/** The page URLs, built in one place so links and the contract cannot drift apart. */
export const href = {
  dags: (): string => "/",
  grid: (dag: string): string => `/dags/${seg(dag)}`,
  graph: (dag: string, run?: string | null): string =>
    `/dags/${seg(dag)}/graph` + (run ? `?run=${seg(run)}` : ""),
  run: (dag: string, run: string): string => `/dags/${seg(dag)}/runs/${seg(run)}`,
  log: (dag: string, run: string, task: string, tryNumber?: number): string =>
    `/dags/${seg(dag)}/runs/${seg(run)}/tasks/${seg(task)}/log` +
    (tryNumber !== undefined ? `?try=${tryNumber}` : ""),
  durations: (dag: string, task?: string | null): string =>
    `/dags/${seg(dag)}/durations` + (task ? `?task=${seg(task)}` : ""),
};
