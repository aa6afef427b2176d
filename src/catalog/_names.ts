/** Suggesting the name someone meant: case-insensitive edit distance. @internal */

/** Levenshtein distance, case-insensitive; small inputs only (gate and prop names). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/** The first of `candidates` nearest to `name`, if it is at most `maxDistance` edits away. */
export function closestName(name: string, candidates: readonly string[], maxDistance: number): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(name, c);
    if (!best || d < best.d) best = { name: c, d };
  }
  return best && best.d <= maxDistance ? best.name : undefined;
}
