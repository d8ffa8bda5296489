/** A short, quoted description of a bad value for a validation message: `"5 minutes"`, `-1`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : "a Date";
  return "an object";
}

/** `"a"`, `"a", "b"`: names quoted and joined, the way every message lists tasks. */
export function quoteList(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(", ");
}
