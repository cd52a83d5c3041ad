/**
 * The weekly report (REFERENCE.md §4 "Weekly", spec `TimeEntryWeeklyReportDto`).
 *
 * The range must be exactly 7 days of wall clock (else 400 `{"message":"Please select date range
 * of exactly 7 days for weekly report","code":501}`); entries starting in the 7 days from
 * `dateRangeStart` are counted per day (request zone). `weeklyFilter.group` USER or PROJECT
 * (required) gives `groupOne`; each node carries `days[7]{date, duration, amount}` and `children`
 * of the other dimension (PROJECT under USER, USER under PROJECT), also with days. Nodes sort
 * by name (case-insensitive), then `_id`. `totalsByDay` sums the days; `usersWithoutTime` lists the
 * active members the caller may see that have no time in the week.
 */
import { DateTime } from 'luxon';
import type { SimStore, TimeEntry, Workspace } from '../model.ts';
import { ApiError } from '../sim-errors.ts';
import { addTo, emptySums, entryFigures, shownAmount, totalsRow } from './report-amounts.ts';
import type { Sums } from './report-amounts.ts';
import type { ReportScope } from './report-filter.ts';
import { reportEntries } from './report-filter.ts';
import type { GroupDim } from './report-groups.ts';
import { createGroupKeyer, localDayOf } from './report-groups.ts';
import type { ReportQuery } from './report-query.ts';
import { asObject, checkWeeklyRange, readEnum } from './report-query.ts';
import type { GroupNode } from './report-summary.ts';
import { renderNode, sortNodes } from './report-summary.ts';

export interface WeeklyOptions {
  group: 'USER' | 'PROJECT';
}

export function parseWeeklyFilter(raw: unknown): WeeklyOptions {
  const f = asObject(raw, 'weeklyFilter');
  const group = readEnum(f, 'group', ['USER', 'PROJECT'] as const);
  if (!group) throw new ApiError(400, 3000, "Field 'weeklyFilter.group' must not be null");
  readEnum(f, 'subgroup', ['TIME'] as const);
  return { group };
}

interface WeekNode extends GroupNode {
  days: Sums[];
}

export function weeklyReport(store: SimStore, q: ReportQuery, scope: ReportScope, opts: WeeklyOptions, ws: Workspace): Record<string, unknown> {
  checkWeeklyRange(q);
  const first = DateTime.fromMillis(q.from, { zone: q.zone }).startOf('day');
  const from = q.from;
  const to = DateTime.fromISO(q.wallStart, { zone: q.zone }).plus({ days: 7 }).toMillis();
  const dates = Array.from({ length: 7 }, (_, i) => first.plus({ days: i }).toISODate()!);
  const dims: GroupDim[] = opts.group === 'USER' ? ['USER', 'PROJECT'] : ['PROJECT', 'USER'];
  const sums = emptySums();
  const byDay = dates.map(() => emptySums());
  const top = new Map<string, WeekNode>();
  const usersWithTime = new Set<string>();
  const groupKeys = createGroupKeyer(store, q);
  const dayOf = localDayOf(q.zone);
  const node = (map: Map<string, GroupNode>, e: TimeEntry, dim: GroupDim): WeekNode => {
    const key = groupKeys(e, dim)[0];
    let n = map.get(key.id) as WeekNode | undefined;
    if (!n) {
      n = { key, sums: emptySums(), children: new Map(), days: dates.map(() => emptySums()) };
      map.set(key.id, n);
    }
    return n;
  };

  for (const e of reportEntries(store, q, scope, { from, to })) {
    const f = entryFigures(e, q);
    const day = dates.indexOf(dayOf(e.start));
    if (day < 0) continue;
    usersWithTime.add(e.userId);
    addTo(sums, f);
    addTo(byDay[day], f);
    const parent = node(top, e, dims[0]);
    const sub = node(parent.children, e, dims[1]);
    for (const n of [parent, sub]) {
      addTo(n.sums, f);
      addTo(n.days[day], f);
    }
  }

  const currency = ws.currencyCode;
  const dayJson = (s: Sums, i: number) => {
    const out: Record<string, unknown> = { date: dates[i], duration: s.seconds };
    const amount = shownAmount(s, q);
    if (amount !== undefined) out.amount = amount;
    return out;
  };
  const sort = (nodes: GroupNode[]) => sortNodes(nodes, 'GROUP', 'ASCENDING');
  const groupOne = sort([...top.values()]).map((n) =>
    renderNode(n, q, currency, sort, (x) => ({ days: (x as WeekNode).days.map(dayJson) })));
  const visible = scope.visibleUserIds ? new Set(scope.visibleUserIds) : null;
  const usersWithoutTime = store.members(ws.id)
    .filter((m) => m.status === 'ACTIVE' && (!visible || visible.has(m.userId)) && !usersWithTime.has(m.userId))
    .map((m) => store.user(m.userId)!)
    .filter((u) => u && u.status === 'ACTIVE')
    .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.id < b.id ? -1 : 1))
    .map((u) => ({ id: u.id, name: u.name, email: u.email, timeZone: u.timeZone, weekStart: u.weekStart, dateFormat: 'YYYY-MM-DD', timeFormat: 'HOUR24' }));

  return {
    totals: sums.count ? [totalsRow(sums, q)] : [null],
    groupOne,
    totalsByDay: byDay.map(dayJson),
    usersWithoutTime,
    includeUsersWithoutTime: false,
    decimalFormat: false,
    trackTimeDownToSeconds: ws.settings.trackTimeDownToSecond,
  };
}
