import { describe, expect, it } from "vitest";
import { stripVTControlCharacters } from "node:util";
import { renderGrid } from "../../../../src/cli/render/grid.js";
import type { Dag } from "../../../../src/core/dag.js";
import type { DagRun, RunType, TaskInstance } from "../../../../src/core/run.js";
import { TASK_STATES, type RunState } from "../../../../src/core/states.js";
import { dagOf, runOf, ti } from "./fixtures.js";

const diamond = dagOf({
  extract: ["transform", "validate"],
  transform: ["load"],
  validate: ["load"],
  load: ["notify"],
  cleanup: [],
});

/** A run of `dag_id` "etl" on a day of November 2026, at midnight UTC unless `time` says otherwise. */
function runOn(
  day: number,
  runType: RunType,
  state: RunState,
  tasks: readonly TaskInstance[],
  time = "00:00:00",
): DagRun {
  const date = `2026-11-${String(day).padStart(2, "0")}T${time}.000Z`;
  return runOf(tasks, {
    run_id: `${runType}__${date}`,
    run_type: runType,
    logical_date: date,
    queued_at: date,
    state,
  });
}

/** One task instance per id, all in `state`. */
function all(ids: Iterable<string>, fields: Partial<TaskInstance>): TaskInstance[] {
  return [...ids].map((id) => ti(id, fields));
}

const DIAMOND_IDS = ["cleanup", "extract", "transform", "validate", "load", "notify"];

/** Columns a line takes on screen: escape codes take none, and every symbol we draw takes one. */
function visibleWidth(line: string): number {
  return [...stripVTControlCharacters(line)].length;
}

describe("renderGrid", () => {
  const threeRuns = [
    runOn(22, "scheduled", "success", all(DIAMOND_IDS, { state: "success", try_number: 1 })),
    runOn(23, "backfill", "failed", [
      ti("cleanup", { state: "success", try_number: 1 }),
      ti("extract", { state: "failed", try_number: 1 }),
      ...all(["transform", "validate", "load", "notify"], { state: "upstream_failed" }),
    ]),
    runOn(24, "manual", "running", [
      ti("cleanup", { state: "skipped" }),
      ti("extract", { state: "running", try_number: 1 }),
      ti("transform", { state: "queued" }),
      ti("validate", { state: "none" }),
      ti("load", { state: "none" }),
    ]),
  ];

  it("draws the tree, one column per run (oldest left), run types, run states and a legend", () => {
    expect(renderGrid(diamond, threeRuns, { color: false })).toBe(
      [
        "etl  3 runs",
        "logical date        2026-11",
        "day                 22 23 24",
        "run type            s  b  m",
        "cleanup             ✔  ✔  ↷",
        "extract             ✔  ✘  ●",
        "├── transform       ✔  ↑  ◔",
        "│   └── load        ✔  ↑  ○",
        // notify was not in the newest run (added to the DAG since): a blank cell, not "none".
        "│       └── notify  ✔  ↑",
        "└── validate        ✔  ↑  ○",
        "    └── ↳ load (see above)",
        "run state           ✔  ✘  ●",
        "✔ success  ✘ failed  ↑ upstream_failed  ↷ skipped  ↻ up_for_retry",
        "◷ up_for_reschedule  ● running  ◔ queued  ◌ scheduled  ○ none  ⊘ removed",
        "✘3 failed on try 3  m manual  s scheduled  b backfill",
      ].join("\n"),
    );
  });

  it("puts the oldest run on the left whatever order the runs come in", () => {
    const shuffled = [threeRuns[2]!, threeRuns[0]!, threeRuns[1]!];
    expect(renderGrid(diamond, shuffled, { color: false })).toBe(
      renderGrid(diamond, threeRuns, { color: false }),
    );
  });

  it("draws with ASCII only when asked, every state still told apart by its symbol", () => {
    const out = renderGrid(diamond, threeRuns, { color: false, unicode: false }).split("\n");
    expect(out.slice(4, 12)).toEqual([
      "cleanup             +  +  -",
      "extract             +  x  *",
      "|-- transform       +  ^  o",
      "|   `-- load        +  ^  .",
      "|       `-- notify  +  ^",
      "`-- validate        +  ^  .",
      "    `-- -> load (see above)",
      "run state           +  x  *",
    ]);
  });

  it("gives each state its own cell without colour", () => {
    const dag = dagOf(Object.fromEntries(TASK_STATES.map((state) => [state, []])));
    const run = runOn(
      1,
      "manual",
      "running",
      TASK_STATES.map((state) => ti(state, { state })),
    );
    for (const unicode of [true, false]) {
      const cells = renderGrid(dag, [run], { color: false, unicode })
        .split("\n")
        .filter((line) => (TASK_STATES as readonly string[]).includes(line.split(" ")[0]!))
        .map((line) => line.slice(-1));
      expect(cells).toHaveLength(TASK_STATES.length);
      expect(new Set(cells).size).toBe(TASK_STATES.length);
    }
  });

  it("shows the try number after the symbol when a task took more than one try", () => {
    const dag = dagOf({ extract: ["load"] });
    const runs = [
      runOn(1, "scheduled", "success", [
        ti("extract", { state: "success", try_number: 3, max_tries: 3 }),
        ti("load", { state: "success", try_number: 1, max_tries: 3 }),
      ]),
      runOn(2, "scheduled", "running", [
        ti("extract", { state: "up_for_retry", try_number: 2, max_tries: 3 }),
        ti("load", { state: "none", max_tries: 3 }),
      ]),
    ];
    expect(renderGrid(dag, runs, { color: false }).split("\n").slice(1, 7)).toEqual([
      "logical date  2026-11",
      "day           01 02",
      "run type      s  s",
      "extract       ✔3 ↻2",
      "└── load      ✔  ○",
      "run state     ✔  ●",
    ]);
  });

  it("widens every cell when a try number has two digits", () => {
    const dag = dagOf({ poll: [] });
    const runs = [
      runOn(1, "scheduled", "success", [ti("poll", { state: "success", try_number: 12 })]),
      runOn(2, "scheduled", "failed", [ti("poll", { state: "failed", try_number: 1 })]),
    ];
    expect(renderGrid(dag, runs, { color: false }).split("\n").slice(2, 6)).toEqual([
      "day           01  02",
      "run type      s   s",
      "poll          ✔12 ✘",
      "run state     ✔   ✘",
    ]);
  });

  it("fits 10 tasks and 14 runs with retries in 80 columns, showing every run", () => {
    const edges: Record<string, string[]> = {
      extract_orders: ["clean_orders", "validate_orders"],
      extract_customers: ["clean_customers"],
      clean_orders: ["join_orders_customers"],
      clean_customers: ["join_orders_customers"],
      validate_orders: ["join_orders_customers"],
      join_orders_customers: ["aggregate_daily_revenue"],
      aggregate_daily_revenue: ["publish_dashboard", "export_to_warehouse"],
      publish_dashboard: ["notify_team"],
      export_to_warehouse: [],
      notify_team: [],
    };
    const dag = { ...dagOf(edges), id: "daily_sales_reporting" };
    const states = ["success", "failed", "upstream_failed", "skipped", "up_for_retry"] as const;
    const types: readonly RunType[] = ["scheduled", "manual", "backfill"];
    const runs = Array.from({ length: 14 }, (_, r) =>
      runOn(
        r + 1,
        types[r % 3]!,
        r === 13 ? "running" : "success",
        Object.keys(edges).map((id, t) =>
          ti(id, { state: states[(r + t) % states.length], try_number: 1 + ((r * t) % 9) }),
        ),
      ),
    );
    for (const unicode of [true, false]) {
      for (const color of [false, true]) {
        const out = renderGrid(dag, runs, { color, unicode });
        for (const line of out.split("\n")) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
        expect(stripVTControlCharacters(out).split("\n")[0]).toBe("daily_sales_reporting  14 runs");
      }
    }
    const lines = renderGrid(dag, runs, { color: false }).split("\n");
    expect(lines.slice(2, 7)).toEqual([
      "day                                  01 02 03 04 05 06 07 08 09 10 11 12 13 14",
      "run type                             s  m  b  s  m  b  s  m  b  s  m  b  s  m",
      "extract_customers                    ✘  ↑2 ↷3 ↻4 ✔5 ✘6 ↑7 ↷8 ↻9 ✔  ✘2 ↑3 ↷4 ↻5",
      "└── clean_customers                  ↷  ↻4 ✔7 ✘  ↑4 ↷7 ↻  ✔4 ✘7 ↑  ↷4 ↻7 ✔  ✘4",
      "    └── join_orders_customers        ✔  ✘6 ↑2 ↷7 ↻3 ✔8 ✘4 ↑9 ↷5 ↻  ✔6 ✘2 ↑7 ↷3",
    ]);
    expect(lines.find((line) => line.startsWith("run state"))).toBe(
      "run state                            ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ●",
    );
  });

  it("shortens long DAG and task ids in the middle instead of breaking the grid", () => {
    const long = "extract_every_single_customer_order_from_the_legacy_billing_system";
    const dag: Dag = {
      ...dagOf({ [long]: ["load"] }),
      id: "a_dag_id_that_is_much_longer_than_any_terminal_is_wide_so_it_must_be_cut_somewhere_sensible",
    };
    const runs = Array.from({ length: 14 }, (_, r) =>
      runOn(r + 1, "scheduled", "success", all([long, "load"], { state: "success" })),
    );
    for (const unicode of [true, false]) {
      const lines = renderGrid(dag, runs, { color: false, unicode }).split("\n");
      for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
      expect(lines[4]).toMatch(/ ([✔+] {2}){13}[✔+]$/);
    }
    const lines = renderGrid(dag, runs, { color: false }).split("\n");
    expect(lines[0]).toBe(
      "a_dag_id_that_is_much_longer_than_a…o_it_must_be_cut_somewhere_sensible  14 runs",
    );
    expect(lines[4]).toBe(
      "extract_every_sing…acy_billing_system  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔",
    );
    expect(renderGrid(dag, runs, { color: false, unicode: false }).split("\n")[4]).toMatch(
      /^extract_every_sing~acy_billing_system {2}\+/,
    );
  });

  it("continues a chain deeper than the tree column allows as a section below", () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 30; i++) edges[`step_${i}`] = i + 1 < 30 ? [`step_${i + 1}`] : [];
    const runs = Array.from({ length: 14 }, (_, r) =>
      runOn(r + 1, "scheduled", "success", all(Object.keys(edges), { state: "success" })),
    );
    const lines = renderGrid(dagOf(edges), runs, { color: false }).split("\n");
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
    expect(lines.filter((line) => line.includes("(continued below)")).length).toBeGreaterThan(0);
    expect(lines).toContain(
      "step_7  (continued from step_6)  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔  ✔",
    );
    expect(lines.filter((line) => /^\W*step_\d+\b.*✔$/.test(line))).toHaveLength(30);
  });

  it("leaves out the oldest runs that do not fit, and says so", () => {
    const dag = dagOf({ extract: [] });
    const runs = Array.from({ length: 10 }, (_, r) =>
      runOn(r + 1, "scheduled", "success", [ti("extract", { state: "success" })]),
    );
    const lines = renderGrid(dag, runs, { color: false, width: 30 }).split("\n");
    expect(lines[0]).toBe("etl  4 of 10 runs (the 6 olde…");
    expect(lines[2]).toBe("day           07 08 09 10");
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(30);
  });

  it("labels runs by hour when several fall on one day, marking where the day changes", () => {
    const dag = dagOf({ extract: [] });
    const hours = [
      [23, "20:00:00"],
      [23, "22:00:00"],
      [24, "00:00:00"],
      [24, "02:00:00"],
    ] as const;
    const runs = hours.map(([day, time]) =>
      runOn(day, "scheduled", "success", [ti("extract", { state: "success" })], time),
    );
    expect(renderGrid(dag, runs, { color: false }).split("\n").slice(1, 3)).toEqual([
      "logical date  11-23 11-24",
      "hour          20 22 00 02",
    ]);
  });

  it("labels dates in the DAG's time zone", () => {
    const dag = { ...dagOf({ extract: [] }), timezone: "Europe/Berlin" };
    // Local midnight in Berlin is 23:00 UTC the day before.
    const runs = [23, 24].map((day) =>
      runOn(day, "scheduled", "success", [ti("extract", { state: "success" })], "23:00:00"),
    );
    expect(renderGrid(dag, runs, { color: false }).split("\n").slice(0, 3)).toEqual([
      "etl  2 runs, dates in Europe/Berlin",
      "logical date  2026-11",
      "day           24 25",
    ]);
  });

  it("shows the tree alone when the DAG never ran", () => {
    expect(renderGrid(dagOf({ extract: ["load"] }), [], { color: false })).toBe(
      ["etl  no runs yet", "extract", "└── load"].join("\n"),
    );
  });

  it("colours each cell by its state when colour is on, and only adds escape codes", () => {
    const out = renderGrid(diamond, threeRuns, { color: true });
    expect(out).toContain("\u001b[38;2;255;0;0m✘\u001b[39m");
    expect(out).toContain("\u001b[38;2;255;165;0m↑\u001b[39m");
    expect(out).toContain("\u001b[38;2;0;128;0m✔\u001b[39m");
    expect(stripVTControlCharacters(out)).toBe(renderGrid(diamond, threeRuns, { color: false }));
  });
});

describe("renderGrid: the logical-date header across a month boundary", () => {
  const onDate = (iso: string): DagRun =>
    runOf(all(DIAMOND_IDS, { state: "success", try_number: 1 }), {
      run_id: `scheduled__${iso}`,
      run_type: "scheduled",
      logical_date: iso,
      queued_at: iso,
      state: "success",
    });
  const header = (runs: DagRun[]): string[] =>
    renderGrid(diamond, runs, { color: false })
      .split("\n")
      .filter((line) => /^(logical date|day)/.test(line.trim()));

  it("labels each month where it starts: the short form when its first month has one day", () => {
    const runs = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"].map((d) =>
      onDate(`${d}T00:00:00.000Z`),
    );
    const [context, days] = header(runs);
    expect(days!.endsWith("30 01 02 03")).toBe(true);
    expect(context!.endsWith("11 2026-12")).toBe(true);
    // Each label starts above the first day of its month.
    expect(context!.indexOf("11")).toBe(days!.indexOf("30"));
    expect(context!.indexOf("2026-12")).toBe(days!.indexOf("01"));
  });

  it("keeps the full form when the month has room for it", () => {
    const days = [27, 28, 29, 30].map((d) => `2026-11-${d}`).concat(["2026-12-01"]);
    const [context] = header(days.map((d) => onDate(`${d}T00:00:00.000Z`)));
    expect(context!.endsWith("2026-11     2026-12")).toBe(true);
  });
});
