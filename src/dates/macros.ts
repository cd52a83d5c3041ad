/**
 * Date macros in option values, resolved against a pinned clock.
 *
 * Coupler's form, `{{name.modifier(...)...}}` (see macro-grammar.ts for the names):
 * - Date macros (today, yesterday, tomorrow, this/last/next week|month|quarter|year start|end,
 *   weekago…yearago, N days|weeks|months|quarters|years ago|fromnow) resolve to the START of
 *   their day (00:00 in the zone), except the `…end` ones, which resolve to the LAST
 *   MILLISECOND of their period (moment/luxon `endOf`). They print as YYYY-MM-DD, so
 *   `{{lastweekend}}` prints the last day of last week.
 * - Date-time macros (now, this/last/next hour start|end, hourago, N hours ago|fromnow) are exact
 *   instants (`hourago` = now − 1 h) and print as ISO 8601 with seconds: 2026-08-26T10:15:00Z in
 *   UTC, 2026-08-26T12:15:00+02:00 elsewhere.
 * - `.startof(unit)` / `.endof(unit)` (hour, day, week, month, quarter, year) move the instant;
 *   `.format(FORMAT)` prints it with moment-style tokens (date-format.ts).
 * Nexla's form: `{now}`, `{now-1}`, `{now+3}` counts `macroUnit`s (day by default) from now:
 * day, week and month give the start of that day (printed YYYY-MM-DD), hour gives the start of
 * that hour (printed as a date-time).
 *
 * Macros are computed in UTC unless a time zone is given (as Coupler does); weeks start on
 * Monday unless `weekStart` says otherwise. A value may embed macros in text
 * (`{{yesterday}}T00:00:00`); the text is substituted and then read as a date where it is one.
 */
import type { DateTime } from 'luxon';
import { configError } from '../errors.ts';
import { formatMoment } from './date-format.ts';
import {
  checkTimeZone,
  endOfUnit,
  isoSeconds,
  parseIsoInZone,
  parseWeekStart,
  resolveNow,
  startOfUnit,
  type PeriodUnit,
  type Precision,
  type WeekDay,
} from './date-zone.ts';
import { parseMacro, type ParsedMacro } from './macro-grammar.ts';

export type MacroUnit = 'day' | 'week' | 'month' | 'hour';
export const MACRO_UNITS: readonly MacroUnit[] = ['day', 'week', 'month', 'hour'];

export interface DateExpressionOptions {
  /** The clock; a Date, an ISO text, or undefined for the current time. */
  now?: Date | string;
  /** IANA zone the macros and plain dates are read in; default UTC. */
  timeZone?: string;
  /** Default MONDAY. */
  weekStart?: WeekDay | string;
  /** Unit of Nexla's `{now±N}`; default day. */
  macroUnit?: MacroUnit | string;
}

export interface ResolvedMacro {
  /** As written, braces included. */
  text: string;
  /** The instant it resolved to, in the requested zone. */
  date: DateTime;
  /** What it printed. */
  value: string;
  precision: Precision;
}

export interface ResolvedExpression {
  /** The expression with every macro replaced by its text. */
  value: string;
  /** The instant the value stands for: the value read as ISO in the zone, else the single macro's instant. */
  date?: DateTime;
  /** Whether `date` came from a calendar date or a date-time. */
  precision?: Precision;
  macros: ResolvedMacro[];
}

interface Context {
  now: DateTime;
  zone: string;
  weekStart: WeekDay;
  macroUnit: MacroUnit;
}

function context(opts: DateExpressionOptions): Context {
  const zone = checkTimeZone(opts.timeZone);
  return { zone, now: resolveNow(opts.now, zone), weekStart: parseWeekStart(opts.weekStart), macroUnit: parseMacroUnit(opts.macroUnit) };
}

export function parseMacroUnit(value: string | undefined): MacroUnit {
  if (value === undefined || value === '') return 'day';
  const v = value.trim().toLowerCase().replace(/s$/, '');
  if (!(MACRO_UNITS as readonly string[]).includes(v)) {
    throw configError('MACRO_UNIT_INVALID', `Unknown macro unit "${value}".`, `Use one of ${MACRO_UNITS.join(', ')}.`);
  }
  return v as MacroUnit;
}

/** The instant a parsed Coupler macro stands for, before `.format`. */
function macroInstant(m: ParsedMacro, c: Context): DateTime {
  const b = m.base;
  let d: DateTime;
  switch (b.kind) {
    case 'now':
      d = c.now;
      break;
    case 'day':
      d = c.now.startOf('day').plus({ days: b.days });
      break;
    case 'period': {
      const shifted = c.now.plus({ [b.unit + 's']: b.offset });
      d = b.edge === 'start' ? startOfUnit(shifted, b.unit, c.weekStart) : endOfUnit(shifted, b.unit, c.weekStart);
      break;
    }
    case 'shift': {
      const shifted = c.now.plus({ [b.unit + 's']: b.amount });
      d = b.unit === 'hour' ? shifted : shifted.startOf('day');
      break;
    }
  }
  for (const mod of m.modifiers) {
    if (mod.op === 'startof') d = startOfUnit(d, mod.unit, c.weekStart);
    else if (mod.op === 'endof') d = endOfUnit(d, mod.unit, c.weekStart);
  }
  return d;
}

function printMacro(m: ParsedMacro, d: DateTime): string {
  const formats = m.modifiers.filter((x) => x.op === 'format');
  const last = formats[formats.length - 1];
  if (last && last.op === 'format') return formatMoment(d, last.format);
  return m.precision === 'date' ? d.toFormat('yyyy-MM-dd') : isoSeconds(d);
}

function nexla(sign: string | undefined, count: string | undefined, c: Context): { date: DateTime; value: string; precision: Precision } {
  const n = count === undefined ? 0 : Number(count) * (sign === '-' ? -1 : 1);
  const unit: PeriodUnit = c.macroUnit;
  const shifted = c.now.plus({ [unit + 's']: n });
  if (unit === 'hour') {
    const date = shifted.startOf('hour');
    return { date, value: isoSeconds(date), precision: 'datetime' };
  }
  const date = shifted.startOf('day');
  return { date, value: date.toFormat('yyyy-MM-dd'), precision: 'date' };
}

// `{{…}}` (Coupler), `{now}` / `{now-1}` / `{now+3}` (Nexla), or a single-brace word (a mistake).
const TOKEN_RE = /\{\{([^{}]*)\}\}|\{\s*now\s*(?:([+-])\s*(\d{1,4}))?\s*\}|\{\s*([A-Za-z][\w.()-]*)\s*\}/gi;

/**
 * Substitutes every macro of `expr` and reads the result as a date where it is one. Throws
 * MACRO_INVALID for an unknown or malformed macro (before anything is resolved).
 */
export function resolveDateExpression(expr: string, opts: DateExpressionOptions = {}): ResolvedExpression {
  return resolveIn(expr, context(opts));
}

function resolveIn(expr: string, c: Context): ResolvedExpression {
  const macros: ResolvedMacro[] = [];
  const value = expr.replace(TOKEN_RE, (text, coupler?: string, sign?: string, count?: string, single?: string) => {
    if (coupler !== undefined) {
      const parsed = parseMacro(coupler);
      const date = macroInstant(parsed, c);
      const printed = printMacro(parsed, date);
      macros.push({ text, date, value: printed, precision: parsed.precision });
      return printed;
    }
    if (single !== undefined) {
      throw configError(
        'MACRO_INVALID',
        `Unknown macro ${text}: Coupler macros use double braces, e.g. {{${single}}}; the single-brace form is Nexla's {now}, {now-1}, {now+3}.`,
      );
    }
    const r = nexla(sign, count, c);
    macros.push({ text, ...r });
    return r.value;
  });
  if (/\{\{|\}\}/.test(value)) {
    throw configError('MACRO_INVALID', `Unclosed or malformed macro in "${expr}".`, 'Write macros as {{name}}, e.g. {{lastweekstart}}.');
  }
  const parsed = parseIsoInZone(value, c.zone);
  if (parsed) return { value, date: parsed.date, precision: parsed.precision, macros };
  if (macros.length === 1) {
    const only = macros[0];
    return { value, date: only.date, precision: only.precision, macros };
  }
  return { value, macros };
}

/** The instant an expression stands for; throws DATE_INVALID when it is not a date. */
export function resolveInstant(expr: string, opts: DateExpressionOptions = {}): DateTime {
  const r = resolveDateExpression(expr, opts);
  if (r.date) return r.date;
  const bare = /^[a-z0-9]+$/i.test(expr.trim()) ? ` Did you mean {{${expr.trim()}}}?` : '';
  throw configError(
    'DATE_INVALID',
    `"${expr}" is not a date: expected YYYY-MM-DD, an ISO 8601 date-time, or a macro such as {{lastweekstart}}.${bare}`,
  );
}

export interface MacroCommandOptions extends DateExpressionOptions {
  expr: string;
  /** Add a line with the instant, zone, week start and clock used. */
  explain?: boolean;
}

/** What `clockify-sync macro EXPR` prints: the substituted value (plus details when `explain`). */
export function runMacroCommand(opts: MacroCommandOptions): string {
  const c = context(opts);
  const r = resolveIn(opts.expr, c);
  if (!opts.explain) return r.value;
  const lines = [r.value];
  for (const m of r.macros) lines.push(`  ${m.text} = ${m.date.toISO()}`);
  if (r.date) lines.push(`  as an instant: ${r.date.toISO()}`);
  lines.push(`  time zone ${c.zone}, weeks start on ${c.weekStart}, now = ${isoSeconds(c.now)}`);
  return lines.join('\n');
}
