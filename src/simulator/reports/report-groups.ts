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

const named = (id: string, name: string): GroupKey => ({ id, name, sortKey: name.toLowerCase() });
const dated = (id: string, name: string): GroupKey => ({ id, name, sortKey: id });

export function groupKeys(store: SimStore, e: TimeEntry, dim: GroupDim, q: ReportQuery): GroupKey[] {
  switch (dim) {
    case 'PROJECT': {
      const p = e.projectId ? store.project(e.projectId) : undefined;
      if (!p) return [named('', 'Without project')];
      const client = p.clientId ? store.client(p.clientId) : undefined;
      return [{ ...named(p.id, p.name), extra: { color: p.color, clientId: client?.id ?? '', clientName: client?.name ?? '' } }];
    }
    case 'CLIENT': {
      const p = e.projectId ? store.project(e.projectId) : undefined;
      const c = p?.clientId ? store.client(p.clientId) : undefined;
      return [c ? named(c.id, c.name) : named('', 'Without client')];
    }
    case 'USER':
      return [named(e.userId, store.user(e.userId)?.name ?? '')];
    case 'TASK': {
      const t = e.taskId ? store.task(e.taskId) : undefined;
      return [t ? named(t.id, t.name) : named('', 'Without task')];
    }
    case 'TAG':
      return e.tagIds.length ? e.tagIds.map((id) => named(id, store.tag(id)?.name ?? '')) : [named('', 'Without tag')];
    case 'DATE': {
      const d = DateTime.fromMillis(e.start, { zone: q.zone }).toISODate()!;
      return [dated(d, d)];
    }
    case 'WEEK': {
      const dt = DateTime.fromMillis(e.start, { zone: q.zone }).startOf('day');
      const first = dt.minus({ days: (dt.weekday - WEEK_INDEX[q.weekStart] + 7) % 7 });
      const id = first.toISODate()!;
      return [dated(id, `${id} - ${first.plus({ days: 6 }).toISODate()}`)];
    }
    case 'MONTH': {
      const dt = DateTime.fromMillis(e.start, { zone: q.zone });
      return [dated(dt.toFormat('yyyy-MM'), dt.setLocale('en').toFormat('LLLL yyyy'))];
    }
    case 'TIMEENTRY':
      return [{ id: e.description, name: e.description || '(no description)', sortKey: e.description.toLowerCase() }];
  }
}
