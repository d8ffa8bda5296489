/** A value that survives JSON.stringify / JSON.parse unchanged: what task results (XCom) may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Why `value` is not plain JSON, or undefined when it is. Returns the path of the first offending
 * part, e.g. `$.rows[2]: a function` or `$: a BigInt`, so a task author sees what to fix.
 */
export function findNonJson(
  value: unknown,
  path = "$",
  seen = new Set<object>(),
): string | undefined {
  if (value === null) return undefined;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path}: ${String(value)} is not a JSON number`;
    case "undefined":
      return `${path}: undefined`;
    case "bigint":
      return `${path}: a BigInt`;
    case "function":
      return `${path}: a function`;
    case "symbol":
      return `${path}: a symbol`;
  }
  const object = value as object;
  if (seen.has(object)) return `${path}: a circular reference`;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const problem = findNonJson(object[i], `${path}[${i}]`, seen);
        if (problem) return problem;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (object as { constructor?: { name?: string } }).constructor?.name ?? "object";
      return `${path}: a ${name}, not a plain object`;
    }
    for (const [key, item] of Object.entries(object)) {
      const problem = findNonJson(item, `${path}.${key}`, seen);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    seen.delete(object);
  }
}
