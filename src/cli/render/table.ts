import Table from "cli-table3";
import { bold, type ColorOption } from "./colors.js";

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

/** Table options shared by every table we print. */
export interface TableStyle {
  readonly color: ColorOption;
  /** Box-drawing borders; false for ASCII. Default true. */
  readonly unicode?: boolean;
}

/**
 * A cli-table3 table with a bold header. cli-table3's own `style.head`/`style.border` colour through
 * @colors/colors, which decides by itself from the environment; we leave them empty and colour with
 * our chalk instance, so `color: false` means no escape codes at all.
 */
export function makeTable(head: readonly string[], style: TableStyle): Table.Table {
  return new Table({
    head: head.map((title) => bold(title, style.color)),
    style: { head: [], border: [], compact: true },
    ...(style.unicode === false && { chars: ASCII_CHARS }),
  });
}

/** A dash for a value that is not there (yet), so columns never look accidentally empty. */
export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? "-" : value;
}
