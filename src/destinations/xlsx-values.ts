/**
 * Canonical stored values for the Excel destination's data store. Every value is kept in a
 * JSON-serializable form (so the sidecar file holds it exactly) and compared in that form:
 * text → string, bigint → number (decimal string beyond 2^53), double and decimal → number
 * (non-finite → 'NaN' / 'Infinity' / '-Infinity'), boolean, timestamptz → epoch milliseconds,
 * date → 'YYYY-MM-DD', json → the JSON value.
 */
import { SyncError } from '../errors.ts';
import type { ColumnType } from '../normalize/table-schema.ts';

export type Stored = string | number | boolean | null | StoredJson;
type StoredJson = Stored[] | { [k: string]: unknown };

function bad(column: string, type: ColumnType, v: unknown): SyncError {
  const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : typeof v === 'object' ? JSON.stringify(v)?.slice(0, 80) : String(v);
  return new SyncError('DESTINATION_BAD_VALUE', `Column "${column}" (${type}) cannot hold the value ${shown}.`, { kind: 'destination' });
}

function finite(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A row value → its stored form (throws DESTINATION_BAD_VALUE when the type cannot hold it). */
export function toStored(column: string, type: ColumnType, v: unknown): Stored {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'text':
      if (typeof v === 'string') return v;
      if (v instanceof Date) return v.toISOString();
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
    case 'bigint': {
      if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isInteger(n)) throw bad(column, type, v);
      return Number.isSafeInteger(n) ? n : BigInt((v as string | number).toString().trim()).toString();
    }
    case 'double':
    case 'decimal': {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (Number.isNaN(n) && !(typeof v === 'number' || v === 'NaN')) throw bad(column, type, v);
      return finite(n);
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 't') return true;
      if (v === 'false' || v === 'f') return false;
      throw bad(column, type, v);
    case 'timestamptz': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : NaN;
      if (Number.isNaN(ms)) throw bad(column, type, v);
      return ms;
    }
    case 'date': {
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
      if (typeof v === 'string' && DATE_RE.test(v)) return v;
      if (typeof v === 'string' && !Number.isNaN(new Date(v).getTime())) return new Date(v).toISOString().slice(0, 10);
      throw bad(column, type, v);
    }
    case 'json':
      return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))) as Stored;
  }
}

/** A stored value → the canonical read-back form of the Destination interface. */
export function fromStored(type: ColumnType, s: Stored | undefined): unknown {
  if (s === null || s === undefined) return null;
  switch (type) {
    case 'bigint':
      return typeof s === 'string' ? BigInt(s) : s;
    case 'double':
    case 'decimal':
      return typeof s === 'string' ? Number(s) : s;
    case 'timestamptz':
      return new Date(s as number);
    default:
      return s;
  }
}

/** JSON text with object keys sorted, so {a,b} and {b,a} compare equal. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(stableJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + stableJson(o[k])).join(',') + '}';
}

/** Equality of two stored values. */
export function sameStored(a: Stored | undefined, b: Stored | undefined): boolean {
  const x = a ?? null;
  const y = b ?? null;
  if (x === y) return true;
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
  return stableJson(x) === stableJson(y);
}

/** A primary-key part as text (parent keys in child rows must give the same text). */
export function keyPart(s: Stored): string {
  return typeof s === 'string' ? s : JSON.stringify(s);
}
