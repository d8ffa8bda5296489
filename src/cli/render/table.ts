import { stripVTControlCharacters } from "node:util";
import { bold, type ColorOption } from "./colors.js";

interface Borders {
  readonly top: readonly [string, string, string, string]; // left, fill, between, right
  readonly head: readonly [string, string, string, string];
  readonly bottom: readonly [string, string, string, string];
  readonly row: readonly [string, string, string]; // left, between, right
}

const UNICODE: Borders = {
  top: ["┌", "─", "┬", "┐"],
  head: ["├", "─", "┼", "┤"],
  bottom: ["└", "─", "┴", "┘"],
  row: ["│", "│", "│"],
};

const ASCII: Borders = {
  top: ["+", "-", "+", "+"],
  head: ["+", "-", "+", "+"],
  bottom: ["+", "-", "+", "+"],
  row: ["|", "|", "|"],
};

/** A cell: its text, or its text aligned to the right (numbers). */
export type Cell = string | { readonly content: string; readonly hAlign: "left" | "right" };

/** Table options shared by every table we print. */
export interface TableStyle {
  readonly color: ColorOption;
  /** Box-drawing borders; false for ASCII. Default true. */
  readonly unicode?: boolean;
}

/**
 * A boxed table with a bold header and no lines between rows, as cli-table3 draws it in its
 * compact style (test/unit/cli/render/table.test.ts compares the two). Written here because
 * cli-table3 cost ~50 us a cell (it merges its options into every cell): 15 ms for the 100 rows
 * of a big run's summary, and a few ms to load, on every `flow run` (bench W1-W3, W11).
 */
export class TextTable {
  readonly #head: readonly Cell[];
  readonly #rows: (readonly Cell[])[] = [];
  readonly #borders: Borders;

  constructor(head: readonly Cell[], borders: Borders) {
    this.#head = head;
    this.#borders = borders;
  }

  push(...rows: (readonly Cell[])[]): void {
    this.#rows.push(...rows);
  }

  toString(): string {
    const all = [this.#head, ...this.#rows];
    // Loops, not Math.max(...rows): a table of 100,000s of rows (a big clear plan) must not
    // overflow the stack with arguments.
    let columns = 0;
    for (const row of all) columns = Math.max(columns, row.length);
    const right = all.map((row) =>
      row.map((cell) => typeof cell !== "string" && cell.hAlign === "right"),
    );
    const cells = all.map((row) =>
      Array.from({ length: columns }, (_, c) => textOf(row[c]).split("\n")),
    );
    const widths = new Array<number>(columns).fill(0);
    for (const row of cells)
      row.forEach((lines, c) => {
        for (const line of lines) widths[c] = Math.max(widths[c]!, textWidth(line) + 2);
      });
    const rule = ([left, fill, between, right]: readonly [string, string, string, string]) =>
      left + widths.map((width) => fill.repeat(width)).join(between) + right;
    const [left, between, end] = this.#borders.row;
    const lines = (row: string[][], r: number): string[] =>
      Array.from({ length: row.reduce((most, cell) => Math.max(most, cell.length), 0) }, (_, i) => {
        const texts = row.map((cell, c) => {
          const text = cell[i] ?? "";
          const pad = " ".repeat(widths[c]! - 2 - textWidth(text));
          return right[r]![c] ? ` ${pad}${text} ` : ` ${text}${pad} `;
        });
        return left + texts.join(between) + end;
      });
    return [
      rule(this.#borders.top),
      ...lines(cells[0]!, 0),
      ...(cells.length > 1 ? [rule(this.#borders.head)] : []),
      ...cells.slice(1).flatMap((row, r) => lines(row, r + 1)),
      rule(this.#borders.bottom),
    ].join("\n");
  }
}

function textOf(cell: Cell | undefined): string {
  return cell === undefined ? "" : typeof cell === "string" ? cell : cell.content;
}

/** A table with a bold header; colour only through our own chalk (`color: false`: none at all). */
export function makeTable(head: readonly string[], style: TableStyle): TextTable {
  return new TextTable(
    head.map((title) => bold(title, style.color)),
    style.unicode === false ? ASCII : UNICODE,
  );
}

/**
 * Columns a line takes in a terminal, as string-width counts them: escape codes none, control
 * and combining characters none, East Asian wide characters and emoji shown as emoji two.
 */
export function textWidth(text: string): number {
  // Most cells are printable ASCII: one column a character (the loop below costs ~1.6 us one).
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const char of stripVTControlCharacters(text)) {
    const code = char.codePointAt(0)!;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x300 && code <= 0x36f))
      continue;
    width += isWide(code) || EMOJI.test(char) ? 2 : 1;
  }
  return width;
}

const EMOJI = /\p{Emoji_Presentation}/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

// The East Asian Wide and Fullwidth ranges (is-fullwidth-code-point's list).
function isWide(code: number): boolean {
  return (
    code >= 0x1100 &&
    (code <= 0x115f ||
      code === 0x2329 ||
      code === 0x232a ||
      (code >= 0x2e80 && code <= 0x3247 && code !== 0x303f) ||
      (code >= 0x3250 && code <= 0x4dbf) ||
      (code >= 0x4e00 && code <= 0xa4c6) ||
      (code >= 0xa960 && code <= 0xa97c) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe10 && code <= 0xfe19) ||
      (code >= 0xfe30 && code <= 0xfe6b) ||
      (code >= 0xff01 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1b000 && code <= 0x1b001) ||
      (code >= 0x1f200 && code <= 0x1f251) ||
      (code >= 0x20000 && code <= 0x3fffd))
  );
}

/** A dash for a value that is not there (yet), so columns never look accidentally empty. */
export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? "-" : value;
}
