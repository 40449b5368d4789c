// "Did you mean ...?" for a mistyped command, option or choice.

/** The candidate closest to `typed`, when it is close enough to be the likely intent; otherwise undefined. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  // Up to one edit in four characters (at least one): `expotr` -> export, never `x` -> export.
  const allowed = Math.max(1, Math.floor(word.length / 4));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = word.length >= 3 && candidate.startsWith(word) ? 0 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** `; did you mean X?` for the closest candidate, or '' when none is close. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const match = closest(typed, candidates);
  return match === undefined ? '' : `; did you mean ${match}?`;
}

/** Insertions, deletions, substitutions and swaps of two neighbours (optimal string alignment distance). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
