import { describe, expect, it } from "vitest";
import { stripVTControlCharacters } from "node:util";
import { renderLegend, renderTree } from "../../../../src/cli/render/tree.js";
import type { Dag } from "../../../../src/core/dag.js";
import { dagOf, ti } from "./fixtures.js";

const diamond = dagOf(
  {
    extract: ["transform", "validate"],
    transform: ["load"],
    validate: ["load"],
    load: ["notify"],
    cleanup: [],
  },
  { notify: "all_done" },
);

/** A DAG of `layers` x `width` tasks, each wired to `fan` tasks of the next layer. */
function layered(layers: number, width: number, fan: number): Dag {
  const edges: Record<string, string[]> = {};
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const children = new Set<string>();
      if (l + 1 < layers)
        for (let k = 0; k < fan; k++) children.add(`t${l + 1}_${(w * 7 + k * 13) % width}`);
      edges[`t${l}_${w}`] = [...children];
    }
  }
  return dagOf(edges);
}

describe("renderTree", () => {
  it("shows the DAG's shape without a run, roots sorted, shared tasks once", () => {
    expect(renderTree(diamond, undefined, { color: false })).toBe(
      [
        "cleanup",
        "extract",
        "├── transform",
        "│   └── load",
        "│       └── notify  [all_done]",
        "└── validate",
        "    └── ↳ load (see above)",
      ].join("\n"),
    );
  });

  const run = {
    cleanup: ti("cleanup", { state: "running", try_number: 2, max_tries: 3 }),
    extract: ti("extract", {
      state: "failed",
      try_number: 3,
      max_tries: 3,
      duration_ms: 1234,
      reason: "exit code 3\nstderr tail",
    }),
    transform: ti("transform", {
      state: "upstream_failed",
      reason: 'upstream task "extract" failed',
    }),
    validate: ti("validate", { state: "skipped", reason: "branch chose transform" }),
    load: ti("load", { state: "upstream_failed" }),
    notify: ti("notify", { state: "success", try_number: 1, duration_ms: 850 }),
  };

  it("shows each task's state, tries, duration and the first line of its reason", () => {
    expect(renderTree(diamond, run, { color: false })).toBe(
      [
        "● cleanup             running (try 2/3)",
        "✘ extract             failed (try 3/3, 1.2s)",
        "│   exit code 3",
        "├── ↑ transform       upstream_failed",
        '│   │   upstream task "extract" failed',
        "│   └── ↑ load        upstream_failed",
        "│       └── ✔ notify  success (850ms)",
        "└── ↷ validate        skipped",
        "    │   branch chose transform",
        "    └── ↳ load (see above)",
      ].join("\n"),
    );
  });

  it("labels the tries lost with the run's flow process", () => {
    const lost = { ...run, cleanup: ti("cleanup", { ...run.cleanup, state: "up_for_retry" }) };
    const lines = renderTree(diamond, lost, { color: false, lost: ["cleanup"] }).split("\n");
    expect(lines[0]).toBe("↻ cleanup             up_for_retry (lost, try 2/3)");
    expect(lines[1]).toBe("✘ extract             failed (try 3/3, 1.2s)");
  });

  it("draws with ASCII only when asked", () => {
    expect(renderTree(diamond, run, { color: false, unicode: false })).toBe(
      [
        "* cleanup             running (try 2/3)",
        "x extract             failed (try 3/3, 1.2s)",
        "|   exit code 3",
        "|-- ^ transform       upstream_failed",
        '|   |   upstream task "extract" failed',
        "|   `-- ^ load        upstream_failed",
        "|       `-- + notify  success (850ms)",
        "`-- - validate        skipped",
        "    |   branch chose transform",
        "    `-- -> load (see above)",
      ].join("\n"),
    );
  });

  it("shows a task the run does not know (added to the DAG since) as none", () => {
    const dag = dagOf({ extract: ["audit"] });
    expect(
      renderTree(
        dag,
        { extract: ti("extract", { state: "success", try_number: 1, duration_ms: 10 }) },
        { color: false },
      ),
    ).toBe(["✔ extract    success (10ms)", "└── ○ audit  none"].join("\n"));
  });

  it("colours states when colour is on", () => {
    const out = renderTree(diamond, run, { color: true });
    expect(out).toContain("\u001b[38;2;255;0;0mfailed\u001b[39m");
    expect(stripVTControlCharacters(out)).toBe(renderTree(diamond, run, { color: false }));
  });

  it("groups siblings that were all printed above into one reference line", () => {
    const dag = dagOf({
      a: ["x1", "x2", "x3", "x4", "x5", "x6", "x7"],
      b: ["x1", "x2", "x3", "x4", "x5", "x6", "x7"],
    });
    expect(renderTree(dag, undefined, { color: false }).split("\n").slice(-2)).toEqual([
      "b",
      "└── ↳ x1, x2, x3, x4 and 3 more (see above)",
    ]);
  });

  it("continues subtrees deeper than maxDepth as sections below instead of indenting forever", () => {
    const chain = dagOf({ a: ["b"], b: ["c"], c: ["d"], d: [] });
    expect(renderTree(chain, undefined, { color: false, maxDepth: 2 })).toBe(
      ["a", "└── b", "    └── ↳ c (continued below)", "c  (continued from b)", "└── d"].join("\n"),
    );
  });

  it("grows with edges, not paths: a 10,000-task layered DAG renders well under a second", () => {
    const dag = layered(100, 100, 3);
    const run = Object.fromEntries(
      [...dag.tasks.keys()].map((id) => [
        id,
        ti(id, { state: "success", try_number: 1, duration_ms: 1200 }),
      ]),
    );
    // Its speed is measured by `npm run bench` (W6); here: the output stays linear in size.
    const out = renderTree(dag, run, { color: true });
    expect(out.split("\n").length).toBeLessThan(4 * dag.tasks.size);
  });

  it("handles a 10,000-task chain without overflowing the stack or indenting quadratically", () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 10_000; i++) edges[`t${i}`] = i + 1 < 10_000 ? [`t${i + 1}`] : [];
    const out = renderTree(dagOf(edges), undefined, { color: false });
    expect(out.length).toBeLessThan(10_000 * 200);
  });
});

describe("renderLegend", () => {
  it("names every state with its symbol", () => {
    expect(renderLegend(false)).toBe(
      "✔ success  ✘ failed  ↑ upstream_failed  ↷ skipped  ↻ up_for_retry  ◷ up_for_reschedule  ● running  ◔ queued  ◌ scheduled  ○ none  ⊘ removed",
    );
    expect(renderLegend(true)).toContain("\u001b[");
  });
});
