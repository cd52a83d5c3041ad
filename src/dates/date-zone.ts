/**
 * Time-zone, week-start and ISO parsing helpers shared by the macros and the report ranges.
 * Everything works on luxon DateTimes set to the zone the user asked for.
 */
import { DateTime, IANAZone } from 'luxon';
import { configError } from '../errors.ts';

export const WEEK_DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

/** Checks an IANA zone name ("UTC", "Europe/Berlin"); throws TIMEZONE_INVALID otherwise. */
export function checkTimeZone(timeZone: string | undefined): string {
  const zone = timeZone === undefined || timeZone === '' ? 'UTC' : timeZone;
  if (zone.toUpperCase() === 'UTC' || zone.toUpperCase() === 'Z') return 'UTC';
  if (!IANAZone.isValidZone(zone)) {
    throw configError('TIMEZONE_INVALID', `Unknown time zone "${zone}".`, 'Use an IANA name such as UTC, Europe/Berlin or America/New_York.');
  }
  return zone;
}

/** Accepts MONDAY…SUNDAY in any case, or the first three letters; throws WEEK_START_INVALID. */
export function parseWeekStart(value: string | undefined): WeekDay {
  if (value === undefined || value === '') return 'MONDAY';
  const v = value.trim().toUpperCase();
  const hit = WEEK_DAYS.find((d) => d === v || (v.length >= 3 && d.startsWith(v)));
  if (!hit) {
    throw configError('WEEK_START_INVALID', `Unknown week start "${value}".`, `Use one of ${WEEK_DAYS.join(', ')}.`);
  }
  return hit;
}

/** luxon weekday number (1 = Monday … 7 = Sunday) of a WeekDay. */
export const weekdayNumber = (day: WeekDay): number => WEEK_DAYS.indexOf(day) + 1;

/** Start (00:00) of the week containing `dt`, weeks beginning on `weekStart`. */
export function startOfWeek(dt: DateTime, weekStart: WeekDay): DateTime {
  const back = (dt.weekday - weekdayNumber(weekStart) + 7) % 7;
  return dt.startOf('day').minus({ days: back });
}

export type PeriodUnit = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Start of the period containing `dt` (weeks honour `weekStart`). */
export function startOfUnit(dt: DateTime, unit: PeriodUnit, weekStart: WeekDay): DateTime {
  return unit === 'week' ? startOfWeek(dt, weekStart) : dt.startOf(unit);
}

/** Last millisecond of the period containing `dt` (the luxon/moment `endOf` convention). */
export function endOfUnit(dt: DateTime, unit: PeriodUnit, weekStart: WeekDay): DateTime {
  if (unit !== 'week') return dt.endOf(unit);
  return startOfWeek(dt, weekStart).plus({ weeks: 1 }).minus({ milliseconds: 1 });
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/** What a parsed ISO text held: a calendar date, or a date and time. */
export type Precision = 'date' | 'datetime';

/**
 * Parses "YYYY-MM-DD" (start of that day in `zone`), "YYYY-MM-DDTHH:mm[:ss[.SSS]]" (wall clock
 * in `zone`) or the same with "Z"/"+hh:mm" (that instant, shown in `zone`). Returns null when
 * the text is not one of these or names an impossible date (2027-02-29).
 */
export function parseIsoInZone(text: string, zone: string): { date: DateTime; precision: Precision } | null {
  const t = text.trim();
  if (DATE_ONLY.test(t)) {
    const d = DateTime.fromISO(t, { zone });
    return d.isValid ? { date: d.startOf('day'), precision: 'date' } : null;
  }
  if (DATE_TIME.test(t)) {
    const d = DateTime.fromISO(t.replace(' ', 'T'), { zone, setZone: false }).setZone(zone);
    return d.isValid ? { date: d, precision: 'datetime' } : null;
  }
  return null;
}

/** "2026-11-01T00:00:00.000": the wall clock of `dt` in its zone, as the Reports API reads it. */
export const wallClock = (dt: DateTime): string => dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");

/** ISO 8601 with seconds and offset; "Z" when the offset is zero. */
export function isoSeconds(dt: DateTime): string {
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ss") + (dt.offset === 0 ? 'Z' : dt.toFormat('ZZ'));
}

/**
 * The clock: a Date, an ISO text (with offset, or read as wall clock in `zone`), or undefined for
 * the current time. Throws NOW_INVALID for text that is not ISO 8601.
 */
export function resolveNow(now: Date | string | undefined, zone: string): DateTime {
  if (now === undefined) return DateTime.now().setZone(zone);
  if (now instanceof Date) {
    const d = DateTime.fromJSDate(now).setZone(zone);
    if (!d.isValid) throw configError('NOW_INVALID', 'The --now value is not a valid date.');
    return d;
  }
  const p = parseIsoInZone(now, zone);
  if (!p) {
    throw configError('NOW_INVALID', `--now "${now}" is not an ISO 8601 date or date-time.`, 'Example: --now 2026-11-23T09:30:00Z');
  }
  return p.date;
}
