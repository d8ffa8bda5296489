// How a pipeline's DAG definition becomes the core's input: which tasks it finds, in what order.
import { describe, expect, it } from "vitest";
import { bash, chain, dag } from "../../../src/api/index.js";
import { toDagInput } from "../../../src/loader/to-dag-input.js";

const ids = (definition: ReturnType<typeof dag>): unknown[] =>
  toDagInput(definition, "pipelines/p.ts").input.tasks.map((task) => task.id);

describe("toDagInput", () => {
  it("finds tasks through their references, depth first, upstream before downstream", () => {
    const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((id) => bash(id, "true"));
    chain(b!, a!);
    chain(c!, b!);
    chain(a!, d!);
    chain(e!, d!);
    // From a: its upstream b (then b's upstream c), then its downstream d (then d's upstream e).
    expect(ids(dag({ id: "p", tasks: [a!] }))).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("keeps a second task object with a taken id for the core to report, and maps the first", () => {
    const first = bash("load", "true");
    const second = bash("load", "false");
    const extract = bash("extract", "true", { downstream: [second, "report"] });
    const parts = toDagInput(dag({ id: "p", tasks: [first, extract] }), "pipelines/p.ts");
    expect(parts.input.tasks.map((task) => [task.id, task.downstream])).toEqual([
      ["load", []],
      ["extract", ["load", "report"]],
      ["load", []],
    ]);
    expect(parts.tasks.get("load")).toBe(first);
    expect([...parts.tasks.keys()]).toEqual(["load", "extract"]);
  });

  it("walks a 20,000-task chain listed by its last task without recursion", () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => bash(`t${i}`, "true"));
    for (let i = 1; i < tasks.length; i++) chain(tasks[i - 1]!, tasks[i]!);
    const found = ids(dag({ id: "p", tasks: [tasks.at(-1)!] }));
    expect(found.length).toBe(20_000);
    expect(found.slice(0, 3)).toEqual(["t19999", "t19998", "t19997"]);
  });
});
