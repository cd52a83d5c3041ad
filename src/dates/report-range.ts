/**
 * Report date ranges, following Coupler's rules for `--start` / `--end`:
 * - the end is exclusive at 00:00 (all of November 2026 is `--start 2026-11-01 --end 2026-12-01`);
 * - no start and no end → from one month ago (start of that day) to the coming midnight;
 * - start only → start to start + 1 month;
 * - end only → as with no dates (the end alone is ignored, with a note);
 * - both → as given.
 * Dates are read as wall clock in the report's time zone. Macros in the values are computed in
 * `macroTimeZone` (UTC by default, as Coupler does), then the text they print is read in the
 * report zone. Ranges are split into chunks of at most N days, and into 7-day windows aligned to
 * the week start for the weekly report.
 */
import type { DateTime } from 'luxon';
import { configError } from '../errors.ts';
import { checkTimeZone, parseIsoInZone, parseWeekStart, resolveNow, startOfWeek, wallClock, type WeekDay } from './date-zone.ts';
import { resolveDateExpression, type MacroUnit } from './macros.ts';

/** [start, end) in `timeZone`; both DateTimes are set to that zone. */
export interface ReportRange {
  start: DateTime;
  end: DateTime;
  timeZone: string;
}

export interface ResolvedReportRange extends ReportRange {
  /** Which Coupler rule applied. */
  rule: 'default' | 'start-only' | 'end-only' | 'both';
  /** Things the user should know (an ignored --end, an exclusive end that drops a day). */
  notes: string[];
}

export interface ReportRangeOptions {
  start?: string;
  end?: string;
  now?: Date | string;
  /** The report's zone (IANA); default UTC. */
  timeZone?: string;
  /** Zone macros are computed in; default UTC. */
  macroTimeZone?: string;
  weekStart?: WeekDay | string;
  macroUnit?: MacroUnit | string;
}

function readBound(option: '--start' | '--end', expr: string, opts: ReportRangeOptions, zone: string, notes: string[]): DateTime {
  const r = resolveDateExpression(expr, { now: opts.now, timeZone: opts.macroTimeZone ?? 'UTC', weekStart: opts.weekStart, macroUnit: opts.macroUnit });
  const parsed = parseIsoInZone(r.value, zone);
  let date = parsed?.date;
  if (!date && r.macros.length === 1) date = r.macros[0].date.setZone(zone);
  if (!date) {
    throw configError(
      'DATE_INVALID',
      `${option} "${expr}"${r.macros.length ? ` (= "${r.value}")` : ''} is not a date.`,
      'Use YYYY-MM-DD, an ISO 8601 date-time, or a macro such as {{lastmonthstart}}; `clockify-sync macro EXPR` shows what a macro gives.',
    );
  }
  if (option === '--end' && parsed?.precision === 'date' && r.macros.some((m) => m.date.toMillis() !== m.date.startOf('day').toMillis())) {
    notes.push(`--end ${expr} is ${r.value}; the end is exclusive, so ${r.value} itself is not included (use the next day, e.g. a …start macro, to include it).`);
  }
  return date;
}

/** Applies Coupler's range rules; throws RANGE_INVALID when the end is not after the start. */
export function resolveReportRange(opts: ReportRangeOptions = {}): ResolvedReportRange {
  const timeZone = checkTimeZone(opts.timeZone);
  parseWeekStart(opts.weekStart);
  // One clock for both zones: a --now without offset is read in the macro zone.
  opts = { ...opts, now: resolveNow(opts.now, checkTimeZone(opts.macroTimeZone)).toJSDate() };
  const notes: string[] = [];
  const hasStart = opts.start !== undefined && opts.start.trim() !== '';
  const hasEnd = opts.end !== undefined && opts.end.trim() !== '';
  if (!hasStart) {
    if (hasEnd) notes.push(`--end without --start is ignored (Coupler's rule): the range is one month back to the coming midnight.`);
    const now = resolveNow(opts.now, timeZone);
    const today = now.startOf('day');
    return { start: today.minus({ months: 1 }), end: today.plus({ days: 1 }), timeZone, rule: hasEnd ? 'end-only' : 'default', notes };
  }
  const start = readBound('--start', opts.start!, opts, timeZone, notes);
  if (!hasEnd) return { start, end: start.plus({ months: 1 }), timeZone, rule: 'start-only', notes };
  const end = readBound('--end', opts.end!, opts, timeZone, notes);
  if (end.toMillis() <= start.toMillis()) {
    throw configError(
      'RANGE_INVALID',
      `The report range is empty: --end ${wallClock(end)} is not after --start ${wallClock(start)} (${timeZone}).`,
      'The end is exclusive: all of November 2026 is --start 2026-11-01 --end 2026-12-01.',
    );
  }
  return { start, end, timeZone, rule: 'both', notes };
}

/** Consecutive [start, end) chunks of at most `maxDays` calendar days in the range's zone. */
export function splitRange(range: ReportRange, maxDays: number | null): ReportRange[] {
  if (maxDays === null) return [range];
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new RangeError(`maxDays must be a positive integer, got ${maxDays}`);
  const out: ReportRange[] = [];
  let from = range.start;
  while (from.toMillis() < range.end.toMillis()) {
    const next = from.plus({ days: maxDays });
    const to = next.toMillis() < range.end.toMillis() ? next : range.end;
    out.push({ start: from, end: to, timeZone: range.timeZone });
    from = to;
  }
  return out;
}

/** 7-day windows starting at 00:00 on `weekStart`, covering the range (the first and last may overhang it). */
export function weeklyWindows(range: ReportRange, weekStart: WeekDay): ReportRange[] {
  const out: ReportRange[] = [];
  let from = startOfWeek(range.start, weekStart);
  while (from.toMillis() < range.end.toMillis()) {
    const to = from.plus({ weeks: 1 });
    out.push({ start: from, end: to, timeZone: range.timeZone });
    from = to;
  }
  return out;
}

/** What a workspace allows in one report request: 31 days on FREE, else a year; null = no limit. */
export function maxReportDays(workspace: { featureSubscriptionType?: string | null; plan?: string | null; features?: readonly string[] | null }): number | null {
  const features = workspace.features ?? [];
  if (features.includes('UNLIMITED_REPORTS')) return null;
  if (features.includes('ONE_YEAR_RANGE_REPORTS')) return 366;
  if (features.includes('ONE_MONTH_RANGE_REPORTS')) return 31;
  const plan = (workspace.featureSubscriptionType ?? workspace.plan ?? '').toUpperCase();
  return plan === '' || plan.startsWith('FREE') ? 31 : 366;
}

/** The request fields of a range: wall clock in the zone, end inclusive to the millisecond. */
export function rangeToApi(range: ReportRange): { dateRangeStart: string; dateRangeEnd: string; timeZone: string } {
  return { dateRangeStart: wallClock(range.start), dateRangeEnd: wallClock(range.end.minus({ milliseconds: 1 })), timeZone: range.timeZone };
}
