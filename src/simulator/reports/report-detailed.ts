/**
 * The detailed report: `{totals: [...], timeentries: [...]}` for one page.
 *
 * - `detailedFilter.page` is 1-based (values below 1 read as 1); `pageSize` defaults to 50, at
 *   most 1000: a larger value is refused like the main API refuses oversize page sizes,
 *   400 `{"message":"pageSize cannot be greater than 1000","code":501}`.
 * - `sortColumn` DATE (default; ZONED_DATE and NATURAL are the same order) sorts by start then id;
 *   USER by user name, USER_DATE by user name then start; DESCRIPTION, DURATION, ID likewise with
 *   start and id breaking ties. `sortOrder` defaults to DESCENDING; DESCENDING reverses the whole
 *   order, ties included.
 * - `options.totals` CALCULATE (default) fills `totals` (`[null]` when no entry matches, as
 *   seen live); EXCLUDE returns `totals: []`.
 * Memory: entries are streamed; a DATE-sorted page keeps only the ids of the last page*pageSize
 * matches, other orders keep one sort key and id per match, never a page of JSON beyond the answer.
 */
import type { SimStore } from '../model.ts';
import { badRequest } from '../sim-errors.ts';
import { addTo, emptySums, entryFigures, totalsRow } from './report-amounts.ts';
import type { ReportScope } from './report-filter.ts';
import { reportEntries } from './report-filter.ts';
import type { ReportQuery } from './report-query.ts';
import { asObject, readEnum, readInt } from './report-query.ts';
import { renderDetailedEntry } from './report-render.ts';

export const DETAILED_SORT = ['ID', 'DESCRIPTION', 'USER', 'DURATION', 'DATE', 'ZONED_DATE', 'NATURAL', 'USER_DATE'] as const;
export type DetailedSort = (typeof DETAILED_SORT)[number];
export const DETAILED_MAX_PAGE_SIZE = 1000;
export const DETAILED_DEFAULT_PAGE_SIZE = 50;

export interface DetailedOptions {
  page: number;
  pageSize: number;
  sortColumn: DetailedSort;
  totals: 'CALCULATE' | 'EXCLUDE';
}

export function parseDetailedFilter(raw: unknown): DetailedOptions {
  const f = asObject(raw, 'detailedFilter');
  const pageSize = readInt(f, 'pageSize') ?? DETAILED_DEFAULT_PAGE_SIZE;
  if (pageSize > DETAILED_MAX_PAGE_SIZE) throw badRequest(`pageSize cannot be greater than ${DETAILED_MAX_PAGE_SIZE}`);
  if (pageSize < 1) throw badRequest('pageSize must be greater than 0');
  const options = asObject(f.options, 'detailedFilter.options');
  return {
    page: Math.max(1, readInt(f, 'page') ?? 1),
    pageSize,
    sortColumn: readEnum(f, 'sortColumn', DETAILED_SORT) ?? 'DATE',
    totals: readEnum(options, 'totals', ['CALCULATE', 'EXCLUDE'] as const) ?? 'CALCULATE',
  };
}

const isDateOrder = (s: DetailedSort) => s === 'DATE' || s === 'ZONED_DATE' || s === 'NATURAL';

/** Keeps the last `capacity` pushed values. */
class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}
  push(v: T): void {
    if (this.items.length < this.capacity) this.items.push(v);
    else {
      this.items[this.next] = v;
      this.next = (this.next + 1) % this.capacity;
    }
  }
  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

type Key = string | number;
const cmpKey = (a: Key, b: Key) => (a < b ? -1 : a > b ? 1 : 0);

export function detailedReport(store: SimStore, q: ReportQuery, scope: ReportScope, opts: DetailedOptions, currency: string): Record<string, unknown> {
  const calc = opts.totals === 'CALCULATE';
  const sums = emptySums();
  const skip = (opts.page - 1) * opts.pageSize;
  const descending = (q.sortOrder ?? 'DESCENDING') === 'DESCENDING';
  const userNames = new Map<string, string>();
  const userName = (id: string) => {
    let n = userNames.get(id);
    if (n === undefined) userNames.set(id, (n = (store.user(id)?.name ?? '').toLowerCase()));
    return n;
  };
  let pageIds: string[];

  if (isDateOrder(opts.sortColumn)) {
    // Ascending: the window [skip, skip+pageSize) of the stream; descending: the last skip+pageSize.
    const window: string[] = [];
    const ring = descending ? new Ring<string>(skip + opts.pageSize) : null;
    let i = 0;
    for (const e of reportEntries(store, q, scope)) {
      if (calc) addTo(sums, entryFigures(e, q));
      if (ring) ring.push(e.id);
      else if (i >= skip && i < skip + opts.pageSize) window.push(e.id);
      else if (!calc && i >= skip + opts.pageSize) break;
      i++;
    }
    pageIds = ring ? ring.toArray().reverse().slice(skip, skip + opts.pageSize) : window;
  } else {
    // One primary key, the start and the id per match (flat arrays; strings are shared).
    const primary: Key[] = [];
    const starts: number[] = [];
    const ids: string[] = [];
    const lower = new Map<string, string>();
    const lowerOf = (text: string) => {
      let l = lower.get(text);
      if (l === undefined) lower.set(text, (l = text.toLowerCase()));
      return l;
    };
    for (const e of reportEntries(store, q, scope)) {
      const f = entryFigures(e, q);
      if (calc) addTo(sums, f);
      switch (opts.sortColumn) {
        case 'ID': primary.push(0); break;
        case 'DESCRIPTION': primary.push(lowerOf(e.description)); break;
        case 'USER': case 'USER_DATE': primary.push(userName(e.userId)); break;
        default: primary.push(f.seconds); // DURATION
      }
      starts.push(e.start);
      ids.push(e.id);
    }
    const order = ids.map((_, n) => n);
    const dir = descending ? -1 : 1;
    order.sort((a, b) => (cmpKey(primary[a], primary[b]) || (opts.sortColumn === 'ID' ? 0 : starts[a] - starts[b]) || cmpKey(ids[a], ids[b])) * dir);
    pageIds = order.slice(skip, skip + opts.pageSize).map((n) => ids[n]);
  }

  const timeentries = pageIds.map((id) => renderDetailedEntry(store, store.timeEntry(id)!, q, currency));
  const totals = !calc ? [] : sums.count === 0 ? [null] : [totalsRow(sums, q)];
  return { totals, timeentries };
}
