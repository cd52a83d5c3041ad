/**
 * Pagination. A Paginator is made fresh for each chain of requests: 1-based `page`, the
 * endpoint's largest page size, stops on `Last-Page: true`, a short page or an empty page,
 * never asks for the same page twice, and stops (with a warning) when a server ignores `page`
 * and repeats a page. Pages are yielded as they arrive (one page in memory at a time).
 */
import { SyncError } from '../errors.ts';
import type { ApiRequest, ClockifyClient } from './client.ts';

export type Pagination =
  /** One request, no paging parameters (e.g. /workspaces, custom-fields, holidays). */
  | { kind: 'none' }
  /** One request answered with one object (yielded as a one-item page). */
  | { kind: 'single' }
  /** `?page=N&page-size=S` (kebab-case, GET list endpoints). */
  | { kind: 'query'; maxPageSize: number; pageParam?: string; sizeParam?: string }
  /** `{ page, pageSize }` in a POST body (camelCase: detailed report, users/info). `bodyPath`: nested object holding them. */
  | { kind: 'body'; maxPageSize: number; bodyPath?: string };

export interface PageRequest extends ApiRequest {
  pagination: Pagination;
  /** Where the records are in an envelope response (dotted path, e.g. `timeentries`); default: the body is the array. */
  itemsPath?: string;
  /** Page size to use (default and maximum: the endpoint's). */
  pageSize?: number;
}

/**
 * A page not parsed into records: what a request's `decode` returns for a page it handles
 * itself (raw-pages.ts flattens it), with its record count and the loop guard's fingerprint.
 */
export interface RawPage {
  readonly raw: true;
  readonly count: number;
  readonly fingerprint: string;
}

export function isRawPage(x: unknown): x is RawPage {
  return x !== null && typeof x === 'object' && (x as { raw?: unknown }).raw === true;
}

export interface Page<T = unknown> {
  /** The records (empty for a raw page). */
  items: T[];
  raw?: RawPage;
  page: number;
  /** HTTP attempts this page took. */
  attempts: number;
}

/** Record identity used by the loop guard. */
const idOf = (x: unknown): unknown => (x && typeof x === 'object' ? ((x as Record<string, unknown>).id ?? (x as Record<string, unknown>)._id) : x);

export class Paginator<T = unknown> {
  private readonly requested = new Set<number>();
  private lastFingerprint: string | undefined;
  /** Requests (attempts) made by this chain. */
  requests = 0;
  pageCount = 0;
  /** Set when the chain stopped because a page repeated. */
  warning: string | undefined;

  constructor(
    private readonly client: ClockifyClient,
    private readonly req: PageRequest,
  ) {}

  async *pages(): AsyncGenerator<Page<T>> {
    const p = this.req.pagination;
    if (p.kind === 'none' || p.kind === 'single') {
      const res = await this.client.request<unknown>(this.req);
      this.requests += res.attempts;
      this.pageCount++;
      const data = pick(res.data, this.req.itemsPath);
      const items = p.kind === 'single' ? (data === null || data === undefined ? [] : [data]) : asArray(data, this.req);
      yield { items: items as T[], page: 1, attempts: res.attempts };
      return;
    }
    const size = Math.min(this.req.pageSize ?? p.maxPageSize, p.maxPageSize);
    for (let page = 1; ; page++) {
      if (this.requested.has(page)) throw new SyncError('PAGINATION_LOOP', `${this.where()}: page ${page} was about to be requested twice.`);
      this.requested.add(page);
      const res = await this.client.request<unknown>(this.pageRequest(page, size));
      this.requests += res.attempts;
      this.pageCount++;
      const raw = isRawPage(res.data) ? res.data : undefined;
      const items = raw ? [] : (asArray(pick(res.data, this.req.itemsPath), this.req) as T[]);
      const count = raw ? raw.count : items.length;
      if (count === 0) return;
      const fingerprint = raw ? raw.fingerprint : `${items.length}:${String(idOf(items[0]))}:${String(idOf(items[items.length - 1]))}`;
      if (page > 1 && fingerprint === this.lastFingerprint) {
        this.warning = `${this.where()}: page ${page} repeated page ${page - 1} (the server ignores paging?); stopped reading.`;
        return;
      }
      this.lastFingerprint = fingerprint;
      yield { items, raw, page, attempts: res.attempts };
      const lastPage = res.headers.get('last-page');
      if (lastPage !== null && lastPage.trim().toLowerCase() === 'true') return;
      if (count < size) return;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Page<T>> {
    return this.pages();
  }

  private where(): string {
    return `${this.req.method ?? 'GET'} ${this.req.template ?? this.req.path}`;
  }

  private pageRequest(page: number, size: number): ApiRequest {
    const p = this.req.pagination;
    if (p.kind === 'query') {
      return { ...this.req, query: { ...this.req.query, [p.pageParam ?? 'page']: page, [p.sizeParam ?? 'page-size']: size } };
    }
    if (p.kind === 'body') {
      const body = { ...((this.req.body as Record<string, unknown>) ?? {}) };
      if (p.bodyPath) body[p.bodyPath] = { ...((body[p.bodyPath] as Record<string, unknown>) ?? {}), page, pageSize: size };
      else Object.assign(body, { page, pageSize: size });
      return { ...this.req, method: this.req.method ?? 'POST', body };
    }
    return this.req;
  }
}

/** Pages of one chain (a fresh Paginator). */
export function paginate<T = unknown>(client: ClockifyClient, req: PageRequest): Paginator<T> {
  return new Paginator<T>(client, req);
}

function pick(data: unknown, path: string | undefined): unknown {
  if (!path) return data;
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asArray(data: unknown, req: PageRequest): unknown[] {
  if (Array.isArray(data)) return data;
  if (data === null || data === undefined) return [];
  throw new SyncError('UNEXPECTED_RESPONSE', `${req.method ?? 'GET'} ${req.template ?? req.path}: expected a list${req.itemsPath ? ` at "${req.itemsPath}"` : ''}, got ${typeof data}.`, { kind: 'system' });
}
