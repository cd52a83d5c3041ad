/**
 * The parsed body of a Reports API request (REFERENCE.md §4, spec `DetailedReportFilterV1`,
 * `SummaryReportFilterV1`, `WeeklyReportFilterV1`): the common fields every report reads.
 * Parsing is pure: body JSON + context (caller's zone, week start, now) → ReportQuery.
 */
import { DateTime, IANAZone } from 'luxon';
import type { WeekDay } from '../model.ts';
import { ApiError, badRequest } from '../sim-errors.ts';

export type AmountType = 'EARNED' | 'COST' | 'PROFIT';
export const AMOUNT_SHOWN = ['EARNED', 'COST', 'PROFIT', 'HIDE_AMOUNT', 'EXPORT'] as const;
export type AmountShown = (typeof AMOUNT_SHOWN)[number];
export const CONTAINS = ['CONTAINS', 'DOES_NOT_CONTAIN', 'CONTAINS_ONLY'] as const;
export type Contains = (typeof CONTAINS)[number];
export const USER_STATUS = ['ALL', 'ACTIVE_WITH_PENDING', 'ACTIVE', 'PENDING', 'INACTIVE'] as const;
export const ARCHIVED_STATUS = ['ACTIVE', 'ARCHIVED', 'ALL'] as const;
export const DATE_RANGE_TYPES = [
  'ABSOLUTE', 'TODAY', 'YESTERDAY', 'THIS_WEEK', 'LAST_WEEK', 'PAST_TWO_WEEKS', 'THIS_MONTH', 'LAST_MONTH', 'THIS_YEAR', 'LAST_YEAR',
] as const;
const WEEK_DAYS: readonly WeekDay[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** `{ids, contains, status}` of an entity filter (users, projects, clients, tasks, tags). */
export interface EntityFilter {
  ids: string[];
  contains: Contains;
  /** Upper-case status; `ALL` when absent. */
  status: string;
}

export interface ReportQuery {
  /** IANA zone the date range is read in and timestamps are rendered in. */
  zone: string;
  /** First instant of the range (epoch ms, inclusive). */
  from: number;
  /** End of the range (epoch ms, exclusive). */
  to: number;
  /** The wall-clock range as sent (`yyyy-MM-ddTHH:mm:ss.SSS`, offset stripped). */
  wallStart: string;
  wallEnd: string;
  weekStart: WeekDay;
  users?: EntityFilter;
  userGroups?: EntityFilter;
  projects?: EntityFilter;
  clients?: EntityFilter;
  tasks?: EntityFilter;
  tags?: EntityFilter;
  billable?: boolean;
  description?: string;
  withoutDescription: boolean;
  rounding: boolean;
  sortOrder?: 'ASCENDING' | 'DESCENDING';
  amountShown: AmountShown;
  /** Amount types listed in `amounts[]` of totals and groups (HIDE_AMOUNT → none). */
  amounts: AmountType[];
}

export interface QueryContext {
  /** The key owner's profile zone (default `timeZone`). */
  profileZone: string;
  /** The key owner's week start (default `weekStart`). */
  profileWeekStart: WeekDay;
  /** Simulated now (for relative `dateRangeType`). */
  now: number;
}

export const DAY_MS = 86_400_000;

/** 400/3000: a body field Clockify cannot deserialize. */
export function badField(field: string, value: unknown): ApiError {
  return new ApiError(400, 3000, `Invalid value for '${field}': ${JSON.stringify(value)}`);
}

export function asObject(body: unknown, field: string): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badField(field, body);
  return body as Record<string, unknown>;
}

export function readEnum<T extends string>(o: Record<string, unknown>, field: string, allowed: readonly T[]): T | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw badField(field, v);
  return v as T;
}

export function readBool(o: Record<string, unknown>, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badField(field, v);
  return v;
}

export function readInt(o: Record<string, unknown>, field: string): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badField(field, v);
  return v;
}

function readString(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badField(field, v);
  return v;
}

function readEntityFilter(o: Record<string, unknown>, field: string, statuses: readonly string[]): EntityFilter | undefined {
  if (o[field] === undefined || o[field] === null) return undefined;
  const f = asObject(o[field], field);
  const ids = f.ids ?? [];
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) throw badField(`${field}.ids`, f.ids);
  return {
    ids: [...new Set(ids as string[])],
    contains: readEnum(f, 'contains', CONTAINS) ?? 'CONTAINS',
    status: readEnum(f, 'status', statuses) ?? 'ALL',
  };
}

/** `2026-05-20T08:00:00Z`, `…+02:00`, `…T08:00:00.000` → the wall-clock part (the offset is ignored, as live). */
export function stripOffset(value: string): string {
  return value.trim().replace(/(Z|[+-]\d{2}(:?\d{2})?)$/i, '');
}

/** Reads a wall-clock date-time in a zone; 400/3000 when unparseable. */
export function wallClock(value: string, zone: string, field: string): DateTime {
  const dt = DateTime.fromISO(stripOffset(value), { zone });
  if (!dt.isValid) throw badField(field, value);
  return dt;
}

/** Wall-clock length of a range in ms (independent of DST). */
export function wallLength(q: Pick<ReportQuery, 'wallStart' | 'wallEnd'>): number {
  return DateTime.fromISO(q.wallEnd, { zone: 'UTC' }).toMillis() - DateTime.fromISO(q.wallStart, { zone: 'UTC' }).toMillis();
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function startOfWeek(dt: DateTime, weekStart: WeekDay): DateTime {
  const target = WEEK_DAYS.indexOf(weekStart) + 1; // luxon weekday 1 = Monday
  const back = (dt.weekday - target + 7) % 7;
  return dt.startOf('day').minus({ days: back });
}

/** A relative `dateRangeType` → [start, end] wall clock (end = last millisecond). */
function relativeRange(type: (typeof DATE_RANGE_TYPES)[number], now: DateTime, weekStart: WeekDay): [DateTime, DateTime] {
  const day = now.startOf('day');
  const week = startOfWeek(now, weekStart);
  const last = (start: DateTime, end: DateTime): [DateTime, DateTime] => [start, end.minus({ milliseconds: 1 })];
  switch (type) {
    case 'TODAY': return last(day, day.plus({ days: 1 }));
    case 'YESTERDAY': return last(day.minus({ days: 1 }), day);
    case 'THIS_WEEK': return last(week, week.plus({ days: 7 }));
    case 'LAST_WEEK': return last(week.minus({ days: 7 }), week);
    case 'PAST_TWO_WEEKS': return last(day.minus({ days: 13 }), day.plus({ days: 1 }));
    case 'THIS_MONTH': return last(now.startOf('month'), now.startOf('month').plus({ months: 1 }));
    case 'LAST_MONTH': return last(now.startOf('month').minus({ months: 1 }), now.startOf('month'));
    case 'THIS_YEAR': return last(now.startOf('year'), now.startOf('year').plus({ years: 1 }));
    case 'LAST_YEAR': return last(now.startOf('year').minus({ years: 1 }), now.startOf('year'));
    default: throw new Error(`not a relative range: ${type}`);
  }
}

const WALL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSS";

/**
 * Parses the fields common to all reports. The range is `[dateRangeStart, dateRangeEnd]`, both
 * read as wall clock in `timeZone` (default: the caller's profile zone), end inclusive to the
 * millisecond; entries are selected by their start.
 */
export function parseReportQuery(body: Record<string, unknown>, ctx: QueryContext): ReportQuery {
  const zone = readString(body, 'timeZone') || ctx.profileZone;
  if (!isValidZone(zone)) throw badRequest(`Unknown time zone: ${zone}`);
  const weekStart = readEnum(body, 'weekStart', WEEK_DAYS) ?? ctx.profileWeekStart;
  const rawStart = readString(body, 'dateRangeStart');
  const rawEnd = readString(body, 'dateRangeEnd');
  if (!rawStart) throw new ApiError(400, 3000, "Field 'dateRangeStart' must not be blank");
  if (!rawEnd) throw new ApiError(400, 3000, "Field 'dateRangeEnd' must not be blank");
  let start = wallClock(rawStart, zone, 'dateRangeStart');
  let end = wallClock(rawEnd, zone, 'dateRangeEnd');
  const rangeType = readEnum(body, 'dateRangeType', DATE_RANGE_TYPES);
  if (rangeType && rangeType !== 'ABSOLUTE') [start, end] = relativeRange(rangeType, DateTime.fromMillis(ctx.now, { zone }), weekStart);
  if (end.toMillis() < start.toMillis()) throw badRequest('dateRangeEnd must be after dateRangeStart');

  const amountShown = readEnum(body, 'amountShown', AMOUNT_SHOWN) ?? 'EARNED';
  const rawAmounts = body.amounts;
  if (rawAmounts !== undefined && rawAmounts !== null && !Array.isArray(rawAmounts)) throw badField('amounts', rawAmounts);
  const listed = (rawAmounts as unknown[] | undefined)?.map((a) => {
    if (typeof a !== 'string' || !(AMOUNT_SHOWN as readonly string[]).includes(a)) throw badField('amounts', a);
    return a as AmountShown;
  });
  const amounts: AmountType[] = amountShown === 'HIDE_AMOUNT'
    ? []
    : listed && listed.length
      ? (['EARNED', 'COST', 'PROFIT'] as const).filter((t) => listed.includes(t))
      : ['EARNED', 'COST', 'PROFIT'];

  return {
    zone,
    from: start.toMillis(),
    to: end.toMillis() + 1,
    wallStart: start.toFormat(WALL_FORMAT),
    wallEnd: end.toFormat(WALL_FORMAT),
    weekStart,
    users: readEntityFilter(body, 'users', USER_STATUS),
    userGroups: readEntityFilter(body, 'userGroups', USER_STATUS),
    projects: readEntityFilter(body, 'projects', ARCHIVED_STATUS),
    clients: readEntityFilter(body, 'clients', ARCHIVED_STATUS),
    tasks: readEntityFilter(body, 'tasks', ARCHIVED_STATUS),
    tags: readEntityFilter(body, 'tags', ARCHIVED_STATUS),
    billable: readBool(body, 'billable'),
    description: readString(body, 'description') || undefined,
    withoutDescription: readBool(body, 'withoutDescription') ?? false,
    rounding: readBool(body, 'rounding') ?? false,
    sortOrder: readEnum(body, 'sortOrder', ['ASCENDING', 'DESCENDING'] as const),
    amountShown,
    amounts,
  };
}

/** FREE plan: report ranges longer than 31 days are refused (400/501, message from the spec's operation text). */
export function checkPlanRange(q: ReportQuery, plan: string): void {
  if (plan === 'FREE' && wallLength(q) > 31 * DAY_MS) {
    throw badRequest('Report data on FREE subscription plan is limited to a maximum interval length of one month (31 days)');
  }
}

/** Weekly report: the wall-clock range must be exactly 7 days (end inclusive `+6d 23:59:59[.999]` or exclusive `+7d 00:00`). */
export function checkWeeklyRange(q: ReportQuery): void {
  const len = wallLength(q);
  if (len < 7 * DAY_MS - 1000 || len > 7 * DAY_MS) throw badRequest('Please select date range of exactly 7 days for weekly report');
}
