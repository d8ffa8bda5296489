import Table from "cli-table3";
import { describe, expect, it } from "vitest";
import { makeTable, textWidth, type Cell } from "../../../../src/cli/render/table.js";
import { bold } from "../../../../src/cli/render/colors.js";

// What flow printed with cli-table3 (its options before flow drew tables itself): the reference.
const ASCII_CHARS = {
  top: "-",
  "top-mid": "+",
  "top-left": "+",
  "top-right": "+",
  bottom: "-",
  "bottom-mid": "+",
  "bottom-left": "+",
  "bottom-right": "+",
  left: "|",
  "left-mid": "+",
  mid: "-",
  "mid-mid": "+",
  right: "|",
  "right-mid": "+",
  middle: "|",
};

function reference(head: string[], rows: Cell[][], color: boolean, unicode: boolean): string {
  const table = new Table({
    head: head.map((title) => bold(title, color)),
    style: { head: [], border: [], compact: true },
    ...(!unicode && { chars: ASCII_CHARS }),
  });
  table.push(...(rows as Table.HorizontalTableRow[]));
  return table.toString();
}

const RED = (text: string): string => `\u001b[31m${text}\u001b[39m`;

const cases: [string, string[], Cell[][]][] = [
  [
    "plain rows",
    ["task", "state", "tries"],
    [
      ["extract", "success", "1/1"],
      ["load", "failed", "2/3"],
    ],
  ],
  ["no rows", ["task", "state"], []],
  [
    "escape codes and symbols",
    ["task", "state"],
    [
      ["a", `✔ ${RED("success")}`],
      ["b", "✘ failed"],
      ["c", "● running"],
    ],
  ],
  // (every row has a cell per column: cli-table3 spans a short row's last cell, flow never relies on it)
  [
    "empty cells",
    ["a", "b", "c"],
    [
      ["x", "", ""],
      ["", "y", ""],
    ],
  ],
  ["a cell of two lines", ["a", "b"], [["one\ntwo", "z"]]],
  [
    "wide characters and emoji",
    ["名前", "note"],
    [
      ["漢字テキスト", "🚀 launched"],
      ["café", "naïve"],
    ],
  ],
  [
    "right-aligned numbers",
    ["dag id", "tasks"],
    [
      ["etl", { content: "12", hAlign: "right" }],
      ["big", { content: "1,000", hAlign: "right" }],
    ],
  ],
];

describe("makeTable", () => {
  for (const [name, head, rows] of cases) {
    for (const color of [false, true]) {
      for (const unicode of [true, false]) {
        it(`draws ${name} as cli-table3 did (colour ${color}, unicode ${unicode})`, () => {
          const table = makeTable(head, { color, unicode });
          table.push(...rows);
          expect(table.toString()).toBe(reference(head, rows, color, unicode));
        });
      }
    }
  }

  it("draws a table of 200,000 rows (a big clear plan) without overflowing the stack", () => {
    const table = makeTable(["task", "state"], { color: false });
    for (let i = 0; i < 200_000; i++) table.push([`t${i}`, "success"]);
    const text = table.toString();
    expect(text.split("\n")).toHaveLength(200_000 + 4);
    expect(text.split("\n")[3]).toBe("│ t0      │ success │");
  });

  it("measures text as terminals show it", () => {
    expect(textWidth(RED("abc"))).toBe(3);
    expect(textWidth("漢字")).toBe(4);
    expect(textWidth("e\u0301")).toBe(1);
    expect(textWidth("🚀")).toBe(2);
    expect(textWidth("✔")).toBe(1);
  });
});
