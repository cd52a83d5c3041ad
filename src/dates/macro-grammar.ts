/**
 * The grammar of Coupler-style macros (the text between `{{` and `}}`): a base name such as
 * `lastweekstart` or `3monthsago`, then any number of modifiers `.startof(unit)`,
 * `.endof(unit)` and `.format(FORMAT)`. Parsing is separate from resolving so that a bad macro
 * is refused before anything runs.
 */
import { configError, type SyncError } from '../errors.ts';
import type { PeriodUnit, Precision } from './date-zone.ts';

export type BaseMacro =
  /** today, yesterday, tomorrow: start of the day `days` away. */
  | { kind: 'day'; days: number }
  /** this|last|next + week|month|quarter|year|hour + start|end. */
  | { kind: 'period'; offset: -1 | 0 | 1; unit: PeriodUnit; edge: 'start' | 'end' }
  /** weekago, 3monthsago, 2daysfromnow (start of that day); hourago, 5hoursfromnow (exact). */
  | { kind: 'shift'; amount: number; unit: PeriodUnit }
  | { kind: 'now' };

export type Modifier = { op: 'startof' | 'endof'; unit: PeriodUnit } | { op: 'format'; format: string };

export interface ParsedMacro {
  /** The text between the braces, as written. */
  source: string;
  base: BaseMacro;
  modifiers: Modifier[];
  /** `date` macros print YYYY-MM-DD by default, `datetime` ones print ISO 8601 with seconds. */
  precision: Precision;
}

const RELATIVE: Record<string, -1 | 0 | 1> = { last: -1, this: 0, next: 1 };
export const MODIFIER_UNITS: readonly PeriodUnit[] = ['hour', 'day', 'week', 'month', 'quarter', 'year'];
const PERIOD_RE = /^(this|last|next)(week|month|quarter|year|hour)(start|end)$/;
const AGO_RE = /^(week|month|quarter|year|hour)ago$/;
const COUNT_RE = /^(\d{1,3})(day|week|month|quarter|year|hour)s?(ago|fromnow)$/;
const DAY_NAMES: Record<string, number> = { today: 0, yesterday: -1, tomorrow: 1 };

/** Parses a base macro name (already lower-cased); null when it is not one. */
export function parseBaseName(name: string): BaseMacro | null {
  if (name === 'now') return { kind: 'now' };
  if (name in DAY_NAMES) return { kind: 'day', days: DAY_NAMES[name] };
  let m = PERIOD_RE.exec(name);
  if (m) return { kind: 'period', offset: RELATIVE[m[1]], unit: m[2] as PeriodUnit, edge: m[3] as 'start' | 'end' };
  m = AGO_RE.exec(name);
  if (m) return { kind: 'shift', amount: -1, unit: m[1] as PeriodUnit };
  m = COUNT_RE.exec(name);
  if (m) return { kind: 'shift', amount: Number(m[1]) * (m[3] === 'ago' ? -1 : 1), unit: m[2] as PeriodUnit };
  return null;
}

const isHourly = (b: BaseMacro): boolean => b.kind === 'now' || (b.kind !== 'day' && b.unit === 'hour');

const MACRO_RE = /^([A-Za-z0-9]+)((?:\s*\.\s*[A-Za-z]+\s*\([^()]*\))*)\s*$/;
const MODIFIER_RE = /\.\s*([A-Za-z]+)\s*\(([^()]*)\)/g;

/** Parses the inside of `{{…}}`; throws MACRO_INVALID naming the macro and the closest valid ones. */
export function parseMacro(inner: string): ParsedMacro {
  const source = inner.trim();
  const m = MACRO_RE.exec(source);
  if (!m) throw invalidMacro(source, source.split('.')[0] ?? source);
  const name = m[1].toLowerCase();
  const base = parseBaseName(name);
  if (!base) throw invalidMacro(source, name);
  const modifiers: Modifier[] = [];
  for (const mm of m[2].matchAll(MODIFIER_RE)) {
    const op = mm[1].toLowerCase();
    const arg = mm[2].trim();
    if (op === 'format') {
      if (arg === '') throw configError('MACRO_INVALID', `Macro {{${source}}}: .format() needs a format, e.g. .format(YYYY-MM-DD).`);
      modifiers.push({ op: 'format', format: arg });
    } else if (op === 'startof' || op === 'endof') {
      const unit = arg.toLowerCase().replace(/s$/, '') as PeriodUnit;
      if (!MODIFIER_UNITS.includes(unit)) {
        throw configError('MACRO_INVALID', `Macro {{${source}}}: unknown unit "${arg}" in .${op}().`, `Use one of ${MODIFIER_UNITS.join(', ')}.`);
      }
      modifiers.push({ op, unit });
    } else {
      const close = closest(op, ['startof', 'endof', 'format'], 2);
      throw configError(
        'MACRO_INVALID',
        `Macro {{${source}}}: unknown modifier ".${mm[1]}()".`,
        `Modifiers are .startof(unit), .endof(unit) and .format(FORMAT)${close.length ? `; did you mean .${close[0]}()?` : '.'}`,
      );
    }
  }
  return { source, base, modifiers, precision: isHourly(base) ? 'datetime' : 'date' };
}

/** Every fixed macro name, plus the numeric forms with N filled in. */
export function macroCandidates(n = 2): string[] {
  const out = ['today', 'yesterday', 'tomorrow', 'now', 'hourago'];
  for (const rel of ['this', 'last', 'next']) {
    for (const unit of ['week', 'month', 'quarter', 'year', 'hour']) for (const edge of ['start', 'end']) out.push(`${rel}${unit}${edge}`);
  }
  for (const unit of ['week', 'month', 'quarter', 'year']) out.push(`${unit}ago`);
  for (const unit of ['days', 'weeks', 'months', 'quarters', 'years', 'hours']) for (const dir of ['ago', 'fromnow']) out.push(`${n}${unit}${dir}`);
  return out;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Up to `limit` candidates nearest to `word`, within a distance that grows with its length. */
export function closest(word: string, candidates: readonly string[], limit = 3): string[] {
  const max = Math.max(2, Math.floor(word.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(word, c) }))
    .filter((x) => x.d <= max)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, limit)
    .map((x) => x.c);
}

function invalidMacro(source: string, name: string): SyncError {
  const digits = /^\d{1,3}/.exec(name)?.[0];
  const near = closest(name.toLowerCase(), macroCandidates(digits ? Number(digits) : 2));
  const hint = near.length
    ? `Did you mean ${near.map((s) => `{{${s}}}`).join(', ')}?`
    : 'Valid macros include {{today}}, {{lastweekstart}}, {{thismonthend}}, {{30daysago}}, {{now}}, {{2hoursago}}; ' +
      'modifiers .startof(unit), .endof(unit), .format(YYYY-MM-DD).';
  const msg = near.length ? `Unknown date macro {{${source}}}; closest valid: ${near.map((s) => `{{${s}}}`).join(', ')}.` : `Unknown date macro {{${source}}}.`;
  return configError('MACRO_INVALID', msg, hint);
}
