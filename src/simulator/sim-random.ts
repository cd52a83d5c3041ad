/** Deterministic randomness for the simulator: a small PRNG (mulberry32) and 24-hex ids. */

export type Random = () => number;

/** mulberry32: fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a hash of a string (used to derive sub-seeds). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function randInt(rand: Random, min: number, maxInclusive: number): number {
  return min + Math.floor(rand() * (maxInclusive - min + 1));
}

export function pick<T>(rand: Random, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

export function chance(rand: Random, p: number): boolean {
  return rand() < p;
}

/** Distinct sample of up to n items. */
export function sample<T>(rand: Random, items: readonly T[], n: number): T[] {
  const copy = items.slice();
  const out: T[] = [];
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(rand() * copy.length), 1)[0]);
  return out;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/**
 * Makes 24-hex ids that look like Mongo ObjectIds: 8 hex "timestamp" (from the seed),
 * 4 hex kind tag (from seed + kind), 12 hex counter. Deterministic from seed, kind and counter,
 * and decodable back to the counter (`counterOf`), which the entry table uses for O(1) lookups.
 */
export interface IdMaker {
  next(kind: string): string;
  /** The id of counter n of a kind (does not advance the counter). */
  idOf(kind: string, n: number): string;
  /** The counter encoded in an id of this kind, or -1 when the id is not of this kind/seed. */
  counterOf(kind: string, id: string): number;
}

export function createIdMaker(seed: number): IdMaker {
  const stamp = hex8(0x60000000 + (hash32(`seed:${seed}`) % 0x08000000));
  const counters = new Map<string, number>();
  const tags = new Map<string, string>();
  const used = new Set<string>();
  const tagOf = (kind: string) => {
    let t = tags.get(kind);
    if (!t) {
      let h = hash32(`${seed}:${kind}`) & 0xffff;
      while (used.has(h.toString(16).padStart(4, '0'))) h = (h + 1) & 0xffff;
      t = h.toString(16).padStart(4, '0');
      tags.set(kind, t);
      used.add(t);
    }
    return t;
  };
  const idOf = (kind: string, n: number) => stamp + tagOf(kind) + n.toString(16).padStart(12, '0');
  return {
    idOf,
    next(kind) {
      const n = counters.get(kind) ?? 0;
      counters.set(kind, n + 1);
      return idOf(kind, n);
    },
    counterOf(kind, id) {
      if (id.length !== 24 || !id.startsWith(stamp) || id.slice(8, 12) !== tagOf(kind)) return -1;
      const n = parseInt(id.slice(12), 16);
      return Number.isFinite(n) && /^[0-9a-f]{12}$/.test(id.slice(12)) ? n : -1;
    },
  };
}
