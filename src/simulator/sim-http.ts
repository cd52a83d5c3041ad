/** Request parsing and response helpers shared by the simulator's routes. */
import type { Context } from 'hono';
import { ApiError, badParam, badRequest } from './sim-errors.ts';

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
  /** Query parameter holding the page size (`page-size`, or `limit` on the entity-changes feed). */
  sizeParam?: string;
}
export const DEFAULT_PAGING: PageLimits = { defaultSize: 50, maxSize: 5000 };

export interface Paging {
  page: number;
  size: number;
}

function intParam(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw badParam(name, raw, 'int');
  return Number(raw);
}

/**
 * `page` is 1-based (values below 1 read as 1). A page size above the maximum is refused with
 * 400 `{"message":"page-size cannot be greater than <max>","code":501}`; below 1 likewise.
 */
export function readPaging(c: Context, limits: PageLimits = DEFAULT_PAGING): Paging {
  const sizeParam = limits.sizeParam ?? 'page-size';
  const page = Math.max(1, intParam(c, 'page') ?? 1);
  const size = intParam(c, sizeParam) ?? limits.defaultSize;
  if (size > limits.maxSize) throw badRequest(`${sizeParam} cannot be greater than ${limits.maxSize}`);
  if (size < 1) throw badRequest(`${sizeParam} must be greater than 0`);
  return { page, size };
}

/** The page slice of a list, and whether it is the last page. */
export function slicePage<T>(items: readonly T[], p: Paging): { items: T[]; last: boolean } {
  const from = (p.page - 1) * p.size;
  return { items: items.slice(from, from + p.size), last: from + p.size >= items.length };
}

/** The page of an iterable (consumes at most page*size+1 items). */
export function iterPage<T>(items: Iterable<T>, p: Paging): { items: T[]; last: boolean } {
  const from = (p.page - 1) * p.size;
  const out: T[] = [];
  let i = 0;
  for (const item of items) {
    if (i >= from + p.size) return { items: out, last: false };
    if (i >= from) out.push(item);
    i++;
  }
  return { items: out, last: true };
}

/** JSON answer; `lastPage` adds the `Last-Page` header (only on the endpoints that send it). */
export function json(c: Context, body: unknown, lastPage?: boolean): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (lastPage !== undefined) headers['Last-Page'] = String(lastPage);
  return new Response(JSON.stringify(body), { status: 200, headers });
}

/**
 * A JSON answer whose body is already JSON (the bytes `json` would have sent), as text or as UTF-8
 * bytes. Text is encoded once here: neither the fetch Response (which would re-check a string for
 * lone surrogates) nor the node server (which would measure, then encode a string) walks it again.
 */
export function jsonText(c: Context, body: string | Uint8Array, lastPage?: boolean): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (lastPage !== undefined) headers['Last-Page'] = String(lastPage);
  return new Response(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, { status: 200, headers });
}

export function boolParam(c: Context, name: string): boolean | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badParam(name, raw, 'boolean');
}

export function enumParam<T extends string>(c: Context, name: string, allowed: readonly T[], fallback: T): T {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toUpperCase() as T;
  if (!allowed.includes(v)) throw badParam(name, raw, 'enum');
  return v;
}

/** All values of a repeatable parameter, also split on commas. */
export function listParam(c: Context, name: string): string[] {
  return (c.req.queries(name) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** A stable sort: by key, ties by id ascending; DESCENDING reverses the key only. */
export function sortBy<T extends { id: string }>(items: T[], key: (t: T) => string | number, order: 'ASCENDING' | 'DESCENDING'): T[] {
  const dir = order === 'DESCENDING' ? -1 : 1;
  return items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const d = ka < kb ? -1 : ka > kb ? 1 : 0;
    return d * dir || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

export function errorResponse(err: ApiError): Response {
  return new Response(JSON.stringify(err.body()), { status: err.status, headers: { 'content-type': 'application/json', ...err.headers } });
}
