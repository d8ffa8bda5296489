/**
 * The candidate `name` is most likely a typo of, or undefined when none is close enough.
 * Close enough: edit distance (Levenshtein, with a swap of two neighbours counting as one edit) (case-insensitive) at most a third of the longer name,
 * at least 1, and less than the shorter name's length (so "a" never suggests "b").
 * Ties go to the earlier candidate; a candidate equal to `name` is never suggested.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    const distance = levenshtein(lower, candidate.toLowerCase(), Math.min(limit, bestDistance - 1));
    if (distance === undefined || distance >= Math.min(name.length, candidate.length)) continue;
    best = candidate;
    bestDistance = distance;
  }
  return best;
}

// Edit distance of a and b (optimal string alignment: "godo" is one swap from "good"), or
// undefined as soon as it must exceed `max` (keeps big lists cheap).
function levenshtein(a: string, b: string, max: number): number | undefined {
  if (max < 0 || Math.abs(a.length - b.length) > max) return undefined;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, beforePrevious[j - 2]! + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return undefined;
    beforePrevious = previous;
    previous = current;
  }
  const distance = previous[b.length]!;
  return distance <= max ? distance : undefined;
}
