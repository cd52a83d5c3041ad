/** Value conversion to the column types of table-schema.ts. Cheap, allocation-light, never throws. */
import type { ColumnType } from './table-schema.ts';

export type Convert = (v: unknown) => unknown;

const toText: Convert = (v) => (typeof v === 'string' ? v : v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));
const toBigint: Convert = (v) => {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
};
const toDouble: Convert = (v) => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === 'bigint') return Number(v);
  return null;
};
const toBoolean: Convert = (v) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (typeof v === 'number') return v !== 0;
  return null;
};
const toTimestamp: Convert = (v) => {
  if (v instanceof Date) return v;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};
const toDate: Convert = (v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null);
const toJson: Convert = (v) => (v === undefined ? null : v);

export const CONVERTERS: Record<ColumnType, Convert> = {
  text: toText, bigint: toBigint, double: toDouble, decimal: toDouble, boolean: toBoolean, timestamptz: toTimestamp, date: toDate, json: toJson,
};

const UNIT_SECONDS: Record<string, number> = { Y: 365 * 86400, W: 7 * 86400, D: 86400, H: 3600, S: 1 };

/**
 * ISO 8601 duration → seconds (`PT1H30M` → 5400, `PT0S` → 0, `P1DT2H` → 93600, `PT1.5S` → 1.5,
 * `-PT5M` → -300). Months before `T` count 30 days, years 365. Unreadable → null.
 */
export function isoDurationSeconds(v: unknown): number | null {
  if (typeof v !== 'string' || v.length < 2) return null;
  let i = 0;
  let sign = 1;
  if (v[0] === '-') {
    sign = -1;
    i = 1;
  } else if (v[0] === '+') i = 1;
  if (v[i] !== 'P') return null;
  i++;
  let inTime = false;
  let total = 0;
  let seen = false;
  while (i < v.length) {
    const ch = v[i];
    if (ch === 'T') {
      if (inTime) return null;
      inTime = true;
      i++;
      continue;
    }
    let j = i;
    let partSign = 1;
    if (v[j] === '-') {
      partSign = -1;
      j++;
    }
    const startNum = j;
    while (j < v.length && ((v.charCodeAt(j) >= 48 && v.charCodeAt(j) <= 57) || v[j] === '.' || v[j] === ',')) j++;
    if (j === startNum || j >= v.length) return null;
    const n = Number(v.slice(startNum, j).replace(',', '.'));
    if (!Number.isFinite(n)) return null;
    const unit = v[j];
    let factor: number | undefined;
    if (unit === 'M') factor = inTime ? 60 : 30 * 86400;
    else factor = UNIT_SECONDS[unit];
    if (factor === undefined || (inTime && (unit === 'Y' || unit === 'W' || unit === 'D')) || (!inTime && (unit === 'H' || unit === 'S'))) return null;
    total += partSign * n * factor;
    seen = true;
    i = j + 1;
  }
  if (!seen) return null;
  const out = sign * total;
  return Number.isInteger(out) ? out : Math.round(out * 1000) / 1000;
}

/** The column type a value of an unknown field gets (objects are flattened, not typed). */
export function inferType(v: unknown): ColumnType {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return 'double';
  if (typeof v === 'string') return 'text';
  return 'json';
}
