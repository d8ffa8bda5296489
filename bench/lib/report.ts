// The result table: one row per figure, each with its ratio to the baseline measured in the
// same run and, where issue #5 sets one, a target marked met or missed by how much.
import { formatNumber } from "./stats.js";

export interface Verdict {
  /** What the figure is held to, as shown in the table ("<= 1x floor", ">= 20,000/s"). */
  readonly target: string;
  readonly met: boolean;
  /** "met", or "missed by 2.4x" (how far the figure is from the target, as a factor). */
  readonly text: string;
}

export interface Row {
  readonly measure: string;
  readonly value: number;
  readonly unit: string;
  /** Ratio to the workload's baseline, and the baseline's name. */
  readonly ratio?: { readonly value: number; readonly to: string };
  readonly verdict?: Verdict;
}

export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly Row[];
  /** Skipped runners, sizes, anything a reader needs to interpret the rows. */
  readonly notes: readonly string[];
}

/** Met when `value <= limit` (times, ratios). `kind` says whether it is a target or a goal. */
export function atMost(value: number, limit: number, label: string, kind = "target"): Verdict {
  const met = value <= limit;
  const factor = value / limit;
  return {
    target: `${kind} <= ${label}`,
    met,
    text: met ? `${kind} met` : `${kind} missed by ${formatFactor(factor)}`,
  };
}

/** Met when `value >= limit` (rates). */
export function atLeast(value: number, limit: number, label: string): Verdict {
  const met = value >= limit;
  return {
    target: `target >= ${label}`,
    met,
    text: met ? "target met" : `target missed by ${formatFactor(limit / value)}`,
  };
}

function formatFactor(factor: number): string {
  return factor < 2 ? `${Math.round((factor - 1) * 100)}%` : `${factor.toFixed(1)}x`;
}

/** The rows as a Markdown table (also readable in a terminal). */
export function formatTable(results: readonly WorkloadResult[]): string {
  const header = ["workload", "measure", "median", "ratio to baseline", "target", "verdict"];
  const lines = [header, header.map(() => "---")];
  for (const result of results) {
    result.rows.forEach((row, i) => {
      lines.push([
        i === 0 ? `${result.id} ${result.title}` : "",
        row.measure,
        `${formatNumber(row.value)} ${row.unit}`,
        row.ratio ? `${formatNumber(row.ratio.value)}x ${row.ratio.to}` : "",
        row.verdict?.target ?? "",
        row.verdict ? (row.verdict.met ? row.verdict.text : `**${row.verdict.text}**`) : "",
      ]);
    });
  }
  const widths = header.map((_, c) =>
    Math.max(...lines.map((l) => (l[c] === "---" ? 3 : l[c]!.length))),
  );
  return lines
    .map((l) =>
      l[0] === "---"
        ? `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`
        : `| ${l.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`,
    )
    .join("\n");
}

/** Notes per workload, as a Markdown list. */
export function formatNotes(results: readonly WorkloadResult[]): string {
  return results
    .flatMap((result) => result.notes.map((note) => `- ${result.id}: ${note}`))
    .join("\n");
}
