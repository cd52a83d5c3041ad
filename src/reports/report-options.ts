/**
 * Report options as the user gives them (`--groups PROJECT,USER,DATE`, `--weekly-group USER`,
 * filters, `--amounts earned`…), checked against the values the Reports API allows.
 */
import { configError } from '../errors.ts';
import { closest } from '../dates/macro-grammar.ts';
import { checkTimeZone, parseWeekStart, type WeekDay } from '../dates/date-zone.ts';

export type ReportKind = 'summary' | 'detailed' | 'weekly';
export const REPORT_KINDS: readonly ReportKind[] = ['summary', 'detailed', 'weekly'];

/** Summary grouping dimensions (the spec's enum, plus USER and TAG which the API also takes). */
export const SUMMARY_GROUPS = ['PROJECT', 'CLIENT', 'USER', 'TASK', 'TAG', 'DATE', 'WEEK', 'MONTH', 'TIMEENTRY'] as const;
export type SummaryGroup = (typeof SUMMARY_GROUPS)[number];
export const MAX_GROUPS = 3;
export const DEFAULT_GROUPS: readonly SummaryGroup[] = ['PROJECT', 'USER'];

export const WEEKLY_GROUPS = ['USER', 'PROJECT'] as const;
export type WeeklyGroup = (typeof WEEKLY_GROUPS)[number];

export const AMOUNT_TYPES = ['EARNED', 'COST', 'PROFIT'] as const;
export type AmountType = (typeof AMOUNT_TYPES)[number];

export const USER_STATUSES = ['ALL', 'ACTIVE_WITH_PENDING', 'ACTIVE', 'PENDING', 'INACTIVE'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Checked, normalized options. */
export interface ReportOptions {
  /** Summary: 1–3 dimensions, in order. */
  groups: SummaryGroup[];
  weeklyGroup: WeeklyGroup;
  /** Filters: entity ids (empty = no filter). */
  users: string[];
  projects: string[];
  clients: string[];
  tags: string[];
  /** Membership status of the users counted; ALL by default so deactivated people's hours count. */
  userStatus: UserStatus;
  /** Only billable (true) or non-billable (false) entries; undefined = both. */
  billable?: boolean;
  rounding: boolean;
  /** The amount shown in `amount` (the first) and which amount columns are requested. */
  amounts: AmountType[];
  /** IANA zone the report is computed in. */
  timeZone: string;
  weekStart: WeekDay;
}

/** Options as they come from flags or config: lists as arrays or comma-separated text. */
export interface ReportOptionsInput {
  groups?: string | string[];
  weeklyGroup?: string;
  users?: string | string[];
  projects?: string | string[];
  clients?: string | string[];
  tags?: string | string[];
  userStatus?: string;
  billable?: boolean | string;
  rounding?: boolean | string;
  amounts?: string | string[];
  timeZone?: string;
  weekStart?: string;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = Array.isArray(value) ? value.flatMap((v) => v.split(',')) : value.split(',');
  return [...new Set(parts.map((s) => s.trim()).filter((s) => s !== ''))];
}

function pick<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toUpperCase();
  const hit = allowed.find((a) => a === v);
  if (hit) return hit;
  const near = closest(v, allowed, 2);
  throw configError(
    'REPORT_OPTION_INVALID',
    `${option}: "${value}" is not one of ${allowed.join(', ')}.`,
    near.length ? `Did you mean ${near.join(' or ')}?` : `Allowed: ${allowed.join(', ')}.`,
  );
}

function bool(option: string, value: boolean | string | undefined): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw configError('REPORT_OPTION_INVALID', `${option}: "${value}" is not true or false.`);
}

/** Checks and normalizes; throws REPORT_GROUPS_INVALID / REPORT_OPTION_INVALID naming the bad values. */
export function parseReportOptions(input: ReportOptionsInput = {}): ReportOptions {
  const rawGroups = list(input.groups);
  const bad = rawGroups.filter((g) => !(SUMMARY_GROUPS as readonly string[]).includes(g.toUpperCase()));
  if (bad.length) {
    const hints = bad.map((g) => {
      const near = closest(g.toUpperCase(), SUMMARY_GROUPS, 1);
      return near.length ? `${g} → ${near[0]}?` : g;
    });
    throw configError('REPORT_GROUPS_INVALID', `--groups: unknown group ${bad.join(', ')} (${hints.join('; ')}).`, `Allowed: ${SUMMARY_GROUPS.join(', ')}.`);
  }
  const groups = rawGroups.map((g) => g.toUpperCase() as SummaryGroup);
  if (groups.length > MAX_GROUPS) {
    throw configError('REPORT_GROUPS_INVALID', `--groups: at most ${MAX_GROUPS} groups, got ${groups.length} (${groups.join(', ')}).`);
  }
  const amounts = list(input.amounts).map((a) => pick('--amounts', a, AMOUNT_TYPES));
  return {
    groups: groups.length ? groups : [...DEFAULT_GROUPS],
    weeklyGroup: input.weeklyGroup ? pick('--weekly-group', input.weeklyGroup, WEEKLY_GROUPS) : 'USER',
    users: list(input.users),
    projects: list(input.projects),
    clients: list(input.clients),
    tags: list(input.tags),
    userStatus: input.userStatus ? pick('--user-status', input.userStatus, USER_STATUSES) : 'ALL',
    billable: bool('--billable', input.billable),
    rounding: bool('--rounding', input.rounding) ?? false,
    amounts: amounts.length ? [...new Set(amounts)] : [...AMOUNT_TYPES],
    timeZone: checkTimeZone(input.timeZone),
    weekStart: parseWeekStart(input.weekStart),
  };
}
