/** Small helpers for configuration messages: "did you mean", and showing a bad value safely. */

/** Edit distance between two short strings, case-insensitive; a swap of two neighbours counts as one edit. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** The closest candidate when it is plausibly a typo of `word`, else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const norm = (x: string) => x.toLowerCase().replace(/[-_]/g, '');
  for (const c of candidates) {
    const d = norm(word) === norm(c) ? 0 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (bestDistance <= limit) return best;
  // A shared stem counts too ("paginate" → "pagination").
  const stem = (c: string) => {
    let i = 0;
    while (i < word.length && i < c.length && word[i].toLowerCase() === c[i].toLowerCase()) i++;
    return i;
  };
  return candidates.find((c) => stem(c) >= Math.max(4, word.length - 2));
}

/** Masks the password of a URL-like string (postgres://user:pass@host → postgres://user:***@host). */
export function maskUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/i, (_m, head: string) => `${head}***@`);
}

/** A bad value as it appears in a message: JSON-ish, shortened, passwords masked. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(maskUrlPassword(value));
  else if (Array.isArray(value)) text = `a list (${JSON.stringify(value)})`;
  else if (value !== null && typeof value === 'object') text = `an object (${JSON.stringify(value)})`;
  else text = String(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}
