/**
 * Flattening of report responses into rows. Money arrives in cents (possibly fractional) and is
 * kept in cents while chunks are merged; rows carry currency units (cents / 100). Durations are
 * seconds. Each flattener also reads the report's `totals` so they can be compared with the rows.
 */
import { DateTime } from 'luxon';
import type { ReportRange } from '../dates/report-range.ts';
import type { Row } from '../normalize/table-schema.ts';
import type { AmountType, ReportOptions, SummaryGroup, WeeklyGroup } from './report-options.ts';
import { rangeColumns } from './report-tables.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
/** Cents → currency units, exact to the cent's decimals. */
export const units = (cents: number | null): number | null => (cents === null ? null : Math.round(cents * 1e6) / 1e8);
const hours = (seconds: number): number => seconds / 3600;

/** Amounts in cents of one node, entry or day. */
export interface Money {
  shown: number | null;
  earned: number | null;
  cost: number | null;
  profit: number | null;
}

function money(node: Json, shownType: AmountType): Money {
  const byType = new Map<string, number>();
  for (const a of arr(node.amounts)) {
    const t = str(obj(a).type);
    const v = num(obj(a).value);
    if (t && v !== null) byType.set(t, v);
  }
  const earned = num(node.earnedAmount) ?? byType.get('EARNED') ?? null;
  const cost = num(node.costAmount) ?? byType.get('COST') ?? null;
  const profit = byType.get('PROFIT') ?? (node.earnedAmount !== undefined && earned !== null && cost !== null ? earned - cost : null);
  const shown = num(node.amount) ?? num(node.totalAmount) ?? byType.get(shownType) ?? null;
  return { shown, earned, cost, profit };
}

const addMoney = (a: Money, b: Money): Money => {
  const add = (x: number | null, y: number | null) => (x === null && y === null ? null : (x ?? 0) + (y ?? 0));
  return { shown: add(a.shown, b.shown), earned: add(a.earned, b.earned), cost: add(a.cost, b.cost), profit: add(a.profit, b.profit) };
};

function moneyColumns(m: Money, shownType: AmountType, currency: string | null): Row {
  return {
    amount: units(m.shown),
    amount_type: m.shown === null ? null : shownType,
    earned_amount: units(m.earned),
    cost_amount: units(m.cost),
    profit_amount: units(m.profit),
    currency: m.shown === null && m.earned === null && m.cost === null ? null : currency,
  };
}

/** The report's `totals[0]` (null, `[null]` and missing all read as none). */
export interface ReportTotals {
  seconds: number | null;
  entries: number | null;
  money: Money;
}

export function readTotals(report: unknown, shownType: AmountType): ReportTotals | null {
  const first = arr(obj(report).totals)[0];
  if (first === null || first === undefined || typeof first !== 'object') return null;
  const t = obj(first);
  return { seconds: num(t.totalTime), entries: num(t.entriesCount), money: money(t, shownType) };
}

/** The report's currency: from the totals or the first amount that names one. */
export function reportCurrency(report: unknown): string | null {
  const t = obj(arr(obj(report).totals)[0]);
  const fromTotals = str(obj(arr(t.totalAmountByCurrency)[0]).currency);
  if (fromTotals) return fromTotals;
  for (const a of arr(t.amounts)) {
    const c = str(obj(arr(obj(a).amountByCurrency)[0]).currency);
    if (c) return c;
  }
  return null;
}

/**
 * Compares what the rows add up to with the report's totals; returns warnings (empty = match).
 * Amounts may differ by rounding: up to a cent, or a hundredth of a cent per row (`items`).
 */
export function compareTotals(what: string, totals: ReportTotals | null, rows: { seconds: number; entries?: number; shown: number | null; items?: number }): string[] {
  if (!totals) return [];
  const out: string[] = [];
  if (totals.seconds !== null && Math.abs(totals.seconds - rows.seconds) > 0.5) {
    out.push(`${what}: rows add up to ${rows.seconds} s but the report's total is ${totals.seconds} s.`);
  }
  if (rows.entries !== undefined && totals.entries !== null && totals.entries !== rows.entries) {
    out.push(`${what}: ${rows.entries} entries read but the report counts ${totals.entries}.`);
  }
  if (totals.money.shown !== null && rows.shown !== null && Math.abs(totals.money.shown - rows.shown) > Math.max(1, 0.01 * (rows.items ?? 0))) {
    out.push(`${what}: amounts add up to ${units(rows.shown)} but the report's total is ${units(totals.money.shown)}.`);
  }
  return out;
}

// ---- Summary ---------------------------------------------------------------------------------

export interface SummaryLeaf {
  path: { type: SummaryGroup; id: string; name: string | null }[];
  seconds: number;
  money: Money;
  currency: string | null;
}

/** One leaf per innermost group node, with the path of groups above it. */
export function summaryLeaves(report: unknown, o: ReportOptions): SummaryLeaf[] {
  const fallback = reportCurrency(report);
  const out: SummaryLeaf[] = [];
  const walk = (nodes: unknown[], depth: number, path: SummaryLeaf['path']) => {
    for (const raw of nodes) {
      const n = obj(raw);
      const here = [...path, { type: o.groups[depth] ?? o.groups[o.groups.length - 1], id: str(n._id) ?? str(n.id) ?? '', name: str(n.name) }];
      const children = arr(n.children);
      if (children.length && depth + 1 < o.groups.length) walk(children, depth + 1, here);
      else out.push({ path: here, seconds: num(n.duration) ?? 0, money: money(n, o.amounts[0]), currency: str(n.currency) ?? fallback });
    }
  };
  walk(arr(obj(report).groupOne), 0, []);
  return out;
}

/** Merges the leaves of several chunks: same group path → durations and amounts added. */
export function mergeSummaryLeaves(leaves: SummaryLeaf[]): SummaryLeaf[] {
  const byPath = new Map<string, SummaryLeaf>();
  for (const l of leaves) {
    const k = JSON.stringify(l.path.map((p) => [p.type, p.id]));
    const had = byPath.get(k);
    if (!had) byPath.set(k, { ...l, path: l.path.map((p) => ({ ...p })) });
    else byPath.set(k, { ...had, seconds: had.seconds + l.seconds, money: addMoney(had.money, l.money), currency: had.currency ?? l.currency });
  }
  return [...byPath.values()];
}

export function summaryRows(leaves: SummaryLeaf[], workspaceId: string, range: ReportRange, o: ReportOptions): Row[] {
  const base = rangeColumns(workspaceId, range);
  return leaves.map((l) => {
    const row: Row = { ...base };
    for (let i = 0; i < 3; i++) {
      const p = l.path[i];
      row[`group${i + 1}_type`] = p?.type ?? '';
      row[`group${i + 1}_id`] = p?.id ?? '';
      row[`group${i + 1}_name`] = p?.name ?? null;
    }
    return { ...row, duration_seconds: Math.round(l.seconds), duration_hours: hours(l.seconds), ...moneyColumns(l.money, o.amounts[0], l.currency) };
  });
}

// ---- Detailed --------------------------------------------------------------------------------

const KNOWN_ENTRY_FIELDS = new Set([
  '_id', 'id', 'description', 'billable', 'type', 'userId', 'userName', 'userEmail', 'projectId', 'projectName', 'projectColor',
  'clientId', 'clientName', 'taskId', 'taskName', 'tags', 'timeInterval', 'approvalRequestId', 'isLocked', 'locked',
  'amount', 'rate', 'earnedAmount', 'earnedRate', 'costAmount', 'costRate', 'currency', 'customFields', 'amounts',
]);

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An ISO 8601 instant with offset (the Reports API renders them in the request's zone). */
function instant(v: unknown): Date | null {
  const s = str(v);
  if (!s) return null;
  if (ISO_WITH_OFFSET.test(s)) {
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return d;
  }
  const d = DateTime.fromISO(s, { setZone: true });
  return d.isValid ? d.toJSDate() : null;
}

/** The calendar day of an instant text in `zone`: its own date part when it carries a non-zero offset (rendered in the request zone). */
function localDate(text: string | null, zone: string): string | null {
  if (!text) return null;
  if (/^\d{4}-\d{2}-\d{2}T[^Z]*[+-]\d{2}:\d{2}$/.test(text) || (zone === 'UTC' && /Z$/i.test(text))) return text.slice(0, 10);
  const d = DateTime.fromISO(text, { setZone: true }).setZone(zone);
  return d.isValid ? d.toISODate() : null;
}

/** The entries of one detailed page. */
export const detailedEntries = (report: unknown): Json[] => arr(obj(report).timeentries ?? obj(report).timeEntries).map(obj);

export interface DetailedRows {
  row: Row;
  tags: Row[];
  seconds: number;
  shown: number | null;
}

/** `base`: rangeColumns(workspaceId, range), computed once per report by the caller. */
export function detailedRow(e: Json, base: Row, range: ReportRange, o: ReportOptions, fallbackCurrency: string | null): DetailedRows {
  const id = str(e._id) ?? str(e.id) ?? '';
  const ti = obj(e.timeInterval);
  const seconds = num(ti.duration) ?? 0;
  const m = money(e, o.amounts[0]);
  const extra: Json = {};
  for (const [k, v] of Object.entries(e)) if (!KNOWN_ENTRY_FIELDS.has(k)) extra[k] = v;
  const row: Row = {
    ...base,
    id,
    description: typeof e.description === 'string' ? e.description : null,
    billable: typeof e.billable === 'boolean' ? e.billable : null,
    type: str(e.type),
    user_id: str(e.userId),
    user_name: str(e.userName),
    user_email: str(e.userEmail),
    project_id: str(e.projectId),
    project_name: str(e.projectName),
    project_color: str(e.projectColor),
    client_id: str(e.clientId),
    client_name: str(e.clientName),
    task_id: str(e.taskId),
    task_name: str(e.taskName),
    start: instant(ti.start),
    end: instant(ti.end),
    start_date: localDate(str(ti.start), range.timeZone),
    duration_seconds: Math.round(seconds),
    duration_hours: hours(seconds),
    approval_request_id: str(e.approvalRequestId),
    is_locked: typeof e.isLocked === 'boolean' ? e.isLocked : typeof e.locked === 'boolean' ? e.locked : null,
    ...moneyColumns(m, o.amounts[0], str(e.currency) ?? fallbackCurrency),
    rate: units(num(e.rate)),
    earned_rate: units(num(e.earnedRate)),
    cost_rate: units(num(e.costRate)),
    custom_fields: Array.isArray(e.customFields) ? e.customFields : null,
    extra: Object.keys(extra).length ? extra : null,
  };
  const tags = arr(e.tags).map((t, i) => {
    const tag = typeof t === 'string' ? { id: null, name: t } : { id: str(obj(t).id), name: str(obj(t).name) };
    return { workspace_id: base.workspace_id, report_range: base.report_range, entry_id: id, tag_index: i, tag_id: tag.id, tag_name: tag.name };
  });
  return { row, tags, seconds, shown: m.shown };
}

// ---- Weekly ----------------------------------------------------------------------------------

export interface WeeklyDay {
  groupId: string;
  groupName: string | null;
  /** Whether the day belongs to a subgroup node (the other dimension) under the group. */
  sub: boolean;
  subgroupId: string;
  subgroupName: string | null;
  date: string;
  seconds: number;
  shown: number | null;
  currency: string | null;
}

const otherGroup = (g: WeeklyGroup): WeeklyGroup => (g === 'USER' ? 'PROJECT' : 'USER');

/** One item per (group, subgroup, day) of a 7-day window: the innermost nodes' days. */
export function weeklyDays(report: unknown, o: ReportOptions): WeeklyDay[] {
  const fallback = reportCurrency(report);
  const out: WeeklyDay[] = [];
  const days = (n: Json, g: Json | null) => {
    const top = g ?? n;
    for (const d of arr(n.days).map(obj)) {
      const date = /^\d{4}-\d{2}-\d{2}/.exec(str(d.date) ?? '')?.[0];
      // Days without time are left out: one row per group and day with time.
      if (!date || ((num(d.duration) ?? 0) === 0 && !num(d.amount))) continue;
      out.push({
        groupId: str(top._id) ?? str(top.id) ?? '',
        groupName: str(top.name),
        sub: g !== null,
        subgroupId: g ? str(n._id) ?? str(n.id) ?? '' : '',
        subgroupName: g ? str(n.name) : null,
        date,
        seconds: num(d.duration) ?? 0,
        shown: num(d.amount),
        currency: str(n.currency) ?? str(top.currency) ?? fallback,
      });
    }
  };
  for (const n of arr(obj(report).groupOne).map(obj)) {
    const children = arr(n.children).map(obj);
    if (children.length) for (const c of children) days(c, n);
    else days(n, null);
  }
  return out;
}

export function weeklyRows(items: WeeklyDay[], workspaceId: string, range: ReportRange, o: ReportOptions): Row[] {
  const base = rangeColumns(workspaceId, range);
  return items.map((d) => ({
    ...base,
    group_type: o.weeklyGroup,
    group_id: d.groupId,
    group_name: d.groupName,
    subgroup_type: d.sub ? otherGroup(o.weeklyGroup) : '',
    subgroup_id: d.subgroupId,
    subgroup_name: d.subgroupName,
    date: d.date,
    duration_seconds: Math.round(d.seconds),
    duration_hours: hours(d.seconds),
    ...moneyColumns(typedMoney(d.shown, o.amounts[0]), o.amounts[0], d.currency),
  }));
}

/** A lone shown amount, also placed in the column of its type. */
function typedMoney(shown: number | null, type: AmountType): Money {
  return { shown, earned: type === 'EARNED' ? shown : null, cost: type === 'COST' ? shown : null, profit: type === 'PROFIT' ? shown : null };
}
