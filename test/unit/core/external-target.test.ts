import { describe, expect, it } from "vitest";
import {
  judgeMissingExternalState,
  type DagLookup,
  type MissingExternalState,
} from "../../../src/core/external-target.js";

const twelve = Array.from({ length: 12 }, (_, i) => `t${String(i + 1).padStart(2, "0")}`);

describe("judgeMissingExternalState", () => {
  it.each<[string, string, string, DagLookup, MissingExternalState]>([
    [
      "the task is defined: its run is not there yet",
      "sales",
      "load",
      { kind: "defined", taskIds: ["extract", "load"] },
      { wait: "no run yet" },
    ],
    [
      "a typo of a task: suggests it",
      "sales",
      "lod",
      { kind: "defined", taskIds: ["extract", "load", "report"] },
      { fail: 'dag "sales" has no task "lod" (did you mean "load"? tasks: extract, load, report)' },
    ],
    [
      "an unknown task, nothing close: lists the tasks",
      "sales",
      "publish",
      { kind: "defined", taskIds: ["extract", "load"] },
      { fail: 'dag "sales" has no task "publish" (tasks: extract, load)' },
    ],
    [
      "a DAG of many tasks: the list is cut after 10",
      "big",
      "nope",
      { kind: "defined", taskIds: twelve },
      {
        fail: 'dag "big" has no task "nope" (tasks: t01, t02, t03, t04, t05, t06, t07, t08, t09, t10, ...)',
      },
    ],
    [
      "a typo of a DAG: suggests it",
      "sale",
      "load",
      { kind: "unknown", dagIds: ["report", "sales"] },
      { fail: 'no pipeline defines dag "sale" (did you mean "sales"? dags: report, sales)' },
    ],
    [
      "no DAG at all",
      "sales",
      "load",
      { kind: "unknown", dagIds: [] },
      { fail: 'no pipeline defines dag "sales" (no dags)' },
    ],
    [
      "a DAG that cannot be read now (an import error): waits, saying why",
      "sales",
      "load",
      { kind: "broken", problem: "pipelines/sales.ts:3:1: Unexpected end of file" },
      {
        wait: "no run yet, and the dag cannot be checked now: pipelines/sales.ts:3:1: Unexpected end of file",
      },
    ],
  ])("%s", (_name, dagId, taskId, lookup, expected) => {
    expect(judgeMissingExternalState(dagId, taskId, lookup)).toEqual(expected);
  });
});
