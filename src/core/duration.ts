/** How the messages about a bad duration say what a duration is. */
export const DURATION_HELP =
  'seconds as a number, or a string such as "500ms", "30s", "5m", "2h", "1d", "1h30m"';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration in milliseconds, or undefined when `value` is not one.
 * A number means seconds (like Airflow's `timedelta(seconds=n)`); a string needs units:
 * `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`, or a combination such as `"1h30m"`.
 * Negative, NaN, infinite, unitless strings and anything else give undefined. Rounded to whole ms.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1_000) : undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/**
 * A short human form of `ms` for summaries: `"850ms"`, `"1.2s"`, `"3m 05s"`, `"2h 01m"`.
 * Each form is used while it rounds below the next one (59.99s is `"1m 00s"`); negative is 0.
 */
export function formatDuration(ms: number): string {
  const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (Math.round(value) < 1_000) return `${Math.round(value)}ms`;
  if (Math.round(value / 100) < 600) return `${(Math.round(value / 100) / 10).toFixed(1)}s`;
  const seconds = Math.round(value / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  const minutes = Math.round(value / 60_000);
  return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
