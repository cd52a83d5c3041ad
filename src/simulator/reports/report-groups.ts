/**
 * Group keys of the summary and weekly reports: which group(s) an entry falls in for a dimension.
 *
 * - PROJECT, CLIENT, TASK: the entity; entries without one fall in `_id: ""` named
 *   "Without project" / "Without client" / "Without task".
 * - USER: the entry's user. TAG: every tag of the entry (an entry with two tags counts in both
 *   groups; totals count it once); without tags: "Without tag".
 * - DATE: `YYYY-MM-DD` of the start in the request zone; WEEK: the week's first day (request
 *   `weekStart`) as `_id`, named "YYYY-MM-DD - YYYY-MM-DD"; MONTH: `YYYY-MM`, named "May 2026".
 * - TIMEENTRY: entries with the same description (as the Clockify UI groups them); `_id` is the
 *   description, the name "(no description)" when empty.
 */
import { DateTime } from 'luxon';
import type { SimStore, TimeEntry } from '../model.ts';
import type { ReportQuery } from './report-query.ts';

export const SUMMARY_GROUPS = ['PROJECT', 'CLIENT', 'USER', 'TASK', 'TAG', 'DATE', 'WEEK', 'MONTH', 'TIMEENTRY'] as const;
export type GroupDim = (typeof SUMMARY_GROUPS)[number];

export interface GroupKey {
  id: string;
  name: string;
  /** Sort key for `sortColumn: GROUP` (dates sort chronologically, names case-insensitively). */
  sortKey: string;
  /** Extra fields of PROJECT nodes. */
  extra?: Record<string, unknown>;
}

const WEEK_INDEX: Record<string, number> = { MONDAY: 1, TUESDAY: 2, WEDNESDAY: 3, THURSDAY: 4, FRIDAY: 5, SATURDAY: 6, SUNDAY: 7 };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Offsets change only on quarter hours (for present-day zones), so a quarter-hour bucket has one local date. */
const BUCKET_MS = 15 * 60_000;

const named = (id: string, name: string): GroupKey => ({ id, name, sortKey: name.toLowerCase() });
const dated = (id: string, name: string): GroupKey => ({ id, name, sortKey: id });

/** `YYYY-MM-DD` of an instant in a zone, memoized per quarter hour (one per request). */
export function localDayOf(zone: string): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    const bucket = Math.floor(ms / BUCKET_MS);
    let day = cache.get(bucket);
    if (day === undefined) cache.set(bucket, (day = DateTime.fromMillis(bucket * BUCKET_MS, { zone }).toISODate()!));
    return day;
  };
}

export type GroupKeyer = (e: TimeEntry, dim: GroupDim) => GroupKey[];

/** The group keys of entries for one request (caches dates and week starts). */
export function createGroupKeyer(store: SimStore, q: Pick<ReportQuery, 'zone' | 'weekStart'>): GroupKeyer {
  const dayOf = localDayOf(q.zone);
  const weeks = new Map<string, GroupKey>();
  const weekOf = (day: string): GroupKey => {
    let k = weeks.get(day);
    if (!k) {
      const dt = DateTime.fromISO(day, { zone: 'UTC' });
      const first = dt.minus({ days: (dt.weekday - WEEK_INDEX[q.weekStart] + 7) % 7 });
      const id = first.toISODate()!;
      weeks.set(day, (k = dated(id, `${id} - ${first.plus({ days: 6 }).toISODate()}`)));
    }
    return k;
  };
  const caches = new Map<string, Map<string, GroupKey>>();
  /** One key object per entity (or date) and kind, built on first use. */
  const cached = (kind: string, id: string, make: () => GroupKey): GroupKey => {
    let byId = caches.get(kind);
    if (!byId) caches.set(kind, (byId = new Map()));
    let key = byId.get(id);
    if (!key) byId.set(id, (key = make()));
    return key;
  };
  const projectKey = (id: string | null) => cached('p', id ?? '', () => {
    const p = id ? store.project(id) : undefined;
    if (!p) return named('', 'Without project');
    const client = p.clientId ? store.client(p.clientId) : undefined;
    return { ...named(p.id, p.name), extra: { color: p.color, clientId: client?.id ?? '', clientName: client?.name ?? '' } };
  });
  const clientKey = (projectId: string | null) => cached('c', projectId ?? '', () => {
    const p = projectId ? store.project(projectId) : undefined;
    const c = p?.clientId ? store.client(p.clientId) : undefined;
    return c ? named(c.id, c.name) : named('', 'Without client');
  });
  const userKey = (id: string) => cached('u', id, () => named(id, store.user(id)?.name ?? ''));
  const taskKey = (id: string | null) => cached('t', id ?? '', () => {
    const t = id ? store.task(id) : undefined;
    return t ? named(t.id, t.name) : named('', 'Without task');
  });
  const tagKey = (id: string) => cached('g', id, () => (id ? named(id, store.tag(id)?.name ?? '') : named('', 'Without tag')));
  return (e, dim) => {
    switch (dim) {
      case 'PROJECT': return [projectKey(e.projectId)];
      case 'CLIENT': return [clientKey(e.projectId)];
      case 'USER': return [userKey(e.userId)];
      case 'TASK': return [taskKey(e.taskId)];
      case 'TAG': return e.tagIds.length ? e.tagIds.map(tagKey) : [tagKey('')];
      case 'DATE': {
        const d = dayOf(e.start);
        return [cached('d', d, () => dated(d, d))];
      }
      case 'WEEK':
        return [weekOf(dayOf(e.start))];
      case 'MONTH': {
        const d = dayOf(e.start);
        return [cached('m', d, () => dated(d.slice(0, 7), `${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`))];
      }
      case 'TIMEENTRY':
        return [{ id: e.description, name: e.description || '(no description)', sortKey: e.description.toLowerCase() }];
    }
  };
}
