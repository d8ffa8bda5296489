/** Quotes one word for sh: single quotes keep everything literal, so only `'` itself needs care. */
export function quoteShellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** True when `name` can be assigned as `NAME=value` in sh (POSIX names only). */
export function isShellName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
