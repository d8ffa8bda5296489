import { closest } from "./did-you-mean.js";

/**
 * One message per key of `given` that is not in `known`: `unknown option "catchUp" (did you mean
 * "catchup"?)`, or the list of options when nothing is close. A misspelled option would otherwise
 * be ignored in silence, and the default used instead of what the author meant.
 */
export function unknownOptionProblems(
  given: readonly string[],
  known: readonly string[],
  what = "option",
): string[] {
  const problems: string[] = [];
  for (const key of given) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    problems.push(
      `unknown ${what} "${key}"` +
        (guess ? ` (did you mean "${guess}"?)` : ` (${what}s are: ${known.join(", ")})`),
    );
  }
  return problems;
}
