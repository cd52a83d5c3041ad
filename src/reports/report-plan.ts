/**
 * From flags to a ready `ReportRun`: which zone (--time-zone, else the key owner's profile zone,
 * else UTC), which week start (macros: --week-start else Monday, as Coupler; the weekly report's
 * windows and body: --week-start else the workspace's), the range by Coupler's rules, and how
 * long one request may be (the workspace's plan). Everything the user should be told is in `notes`.
 */
import { parseWeekStart } from '../dates/date-zone.ts';
import { maxReportDays, resolveReportRange, type ResolvedReportRange } from '../dates/report-range.ts';
import type { ReportRun } from './report-fetch.ts';
import { parseReportOptions, type ReportKind, type ReportOptionsInput } from './report-options.ts';

export interface ReportPlanInput {
  kind: ReportKind;
  workspace: { id: string; featureSubscriptionType?: string | null; plan?: string | null; features?: readonly string[] | null; weekStart?: string | null };
  /** The key owner's profile zone (GET /user → settings.timeZone), the default for --time-zone. */
  profileTimeZone?: string | null;
  /** --start / --end (dates, date-times or macros). */
  start?: string;
  end?: string;
  /** --now: pins the clock. */
  now?: Date | string;
  /** --time-zone, --week-start, --macro-unit. */
  timeZone?: string;
  weekStart?: string;
  macroUnit?: string;
  /** --groups, --weekly-group, filters, --rounding, --amounts. */
  options?: Omit<ReportOptionsInput, 'timeZone' | 'weekStart'>;
}

export interface ReportPlan {
  kind: ReportKind;
  run: ReportRun;
  range: ResolvedReportRange;
  timeZoneSource: 'flag' | 'profile' | 'default';
  notes: string[];
}

export function planReport(input: ReportPlanInput): ReportPlan {
  const flagZone = input.timeZone?.trim() || undefined;
  const profileZone = input.profileTimeZone?.trim() || undefined;
  const timeZoneSource = flagZone ? 'flag' : profileZone ? 'profile' : 'default';
  const zone = flagZone ?? profileZone ?? 'UTC';
  const reportWeekStart = parseWeekStart(input.weekStart ?? input.workspace.weekStart ?? undefined);
  const options = parseReportOptions({ ...input.options, timeZone: zone, weekStart: reportWeekStart });
  const range = resolveReportRange({
    start: input.start,
    end: input.end,
    now: input.now,
    timeZone: options.timeZone,
    macroTimeZone: flagZone ?? 'UTC',
    weekStart: input.weekStart ?? 'MONDAY',
    macroUnit: input.macroUnit,
  });
  const maxDays = maxReportDays(input.workspace);
  const notes = [
    `Time zone ${options.timeZone} (${timeZoneSource === 'flag' ? '--time-zone' : timeZoneSource === 'profile' ? "the key owner's profile" : 'default'}).`,
    `Range ${range.start.toISO()} → ${range.end.toISO()} (end exclusive).`,
    ...range.notes,
  ];
  if (input.kind !== 'weekly' && maxDays !== null && range.end.diff(range.start, 'days').days > maxDays) {
    notes.push(`The workspace's plan allows ${maxDays} days per report request: the range is split and the rows merged.`);
  }
  return { kind: input.kind, run: { workspaceId: input.workspace.id, range, options, maxDays }, range, timeZoneSource, notes };
}
