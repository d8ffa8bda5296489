import { describe, expect, it } from "vitest";
import { StateFileError } from "../../../src/errors.js";
import { formatJournalLine, parseJournal } from "../../../src/store/journal.js";
import { makeTask } from "../../fixtures/store/runs.js";

const line = (seq: number) => formatJournalLine({ seq, task: makeTask(`t${seq}`, "success") });

describe("formatJournalLine", () => {
  it("writes what JSON.stringify writes, and a newline", () => {
    const task = { seq: 7, task: makeTask("extract", "success") };
    const run = { seq: 8, run: { dag_id: "etl", state: "running", params: { a: [1] } } };
    expect(formatJournalLine(task)).toBe(`${JSON.stringify(task)}\n`);
    expect(formatJournalLine(run as never)).toBe(`${JSON.stringify(run)}\n`);
  });
});

describe("parseJournal", () => {
  it.each([
    ["an empty journal", "", 0, false],
    ["whole lines", line(1) + line(2), 2, false],
    ["a partial last line", line(1) + line(2).slice(0, 10), 1, true],
    ["a last line missing only its newline", line(1) + line(2).trimEnd(), 1, true],
  ])("reads %s", (_name, text, count, partialTail) => {
    const journal = parseJournal(text, "j");
    expect(journal.entries.map((entry) => entry.seq)).toEqual([1, 2].slice(0, count));
    expect(journal.partialTail).toBe(partialTail);
  });

  it.each([
    ["a line that is not JSON", line(1) + "nope\n" + line(3), /^j: line 2 is not valid JSON/],
    ["a line that is not an object", line(1) + "[]\n", /^j: line 2 is not a journal entry/],
    [
      "a seq that is not an integer",
      '{"seq":"1","task":{}}\n',
      /^j: line 1: seq is not an integer/,
    ],
    [
      "a task without a try number",
      '{"seq":1,"task":{"task_id":"a","state":"success"}}\n',
      /line 1: task.try_number/,
    ],
    [
      "a run with a bad state",
      '{"seq":1,"run":{"dag_id":"d","run_id":"r","run_type":"manual","logical_date":"x","state":"done"}}\n',
      /line 1: run.state "done" is not a run state/,
    ],
  ])("refuses %s, naming the file and line", (_name, text, message) => {
    expect(() => parseJournal(text, "j")).toThrow(StateFileError);
    expect(() => parseJournal(text, "j")).toThrow(message);
  });

  it("writes one line per entry, ending in a newline", () => {
    expect(line(1).endsWith("}\n")).toBe(true);
    expect(line(1).split("\n")).toHaveLength(2);
  });
});
