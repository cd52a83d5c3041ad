/**
 * Formats a DateTime with moment.js-style tokens (the form Coupler's `.format(...)` takes):
 * YYYY YY Q MMMM MMM MM M DDDD DDD Do DD D dddd ddd d E W WW GGGG HH H hh h mm m ss s SSS SS S
 * A a ZZ Z X x, and `[literal text]`. Any other character is copied as is.
 */
import type { DateTime } from 'luxon';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return n + (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
}

const TOKENS: Record<string, (d: DateTime) => string> = {
  YYYY: (d) => pad(d.year, 4),
  YY: (d) => pad(d.year % 100, 2),
  Q: (d) => String(d.quarter),
  MMMM: (d) => d.setLocale('en-US').toFormat('LLLL'),
  MMM: (d) => d.setLocale('en-US').toFormat('LLL'),
  MM: (d) => pad(d.month, 2),
  M: (d) => String(d.month),
  DDDD: (d) => pad(d.ordinal, 3),
  DDD: (d) => String(d.ordinal),
  Do: (d) => ordinal(d.day),
  DD: (d) => pad(d.day, 2),
  D: (d) => String(d.day),
  dddd: (d) => d.setLocale('en-US').toFormat('cccc'),
  ddd: (d) => d.setLocale('en-US').toFormat('ccc'),
  d: (d) => String(d.weekday % 7), // moment: 0 = Sunday
  E: (d) => String(d.weekday), // ISO: 1 = Monday
  GGGG: (d) => pad(d.weekYear, 4),
  WW: (d) => pad(d.weekNumber, 2),
  W: (d) => String(d.weekNumber),
  HH: (d) => pad(d.hour, 2),
  H: (d) => String(d.hour),
  hh: (d) => pad(d.hour % 12 || 12, 2),
  h: (d) => String(d.hour % 12 || 12),
  mm: (d) => pad(d.minute, 2),
  m: (d) => String(d.minute),
  ss: (d) => pad(d.second, 2),
  s: (d) => String(d.second),
  SSS: (d) => pad(d.millisecond, 3),
  SS: (d) => pad(Math.floor(d.millisecond / 10), 2),
  S: (d) => String(Math.floor(d.millisecond / 100)),
  A: (d) => (d.hour < 12 ? 'AM' : 'PM'),
  a: (d) => (d.hour < 12 ? 'am' : 'pm'),
  ZZ: (d) => d.toFormat('ZZZ'), // +0530
  Z: (d) => d.toFormat('ZZ'), // +05:30
  X: (d) => String(Math.floor(d.toSeconds())),
  x: (d) => String(d.toMillis()),
};

/** Token names, longest first so that "YYYY" wins over "YY". */
const ORDER = Object.keys(TOKENS).sort((a, b) => b.length - a.length);

export function formatMoment(d: DateTime, format: string): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    if (format[i] === '[') {
      const close = format.indexOf(']', i + 1);
      if (close !== -1) {
        out += format.slice(i + 1, close);
        i = close + 1;
        continue;
      }
    }
    const token = ORDER.find((t) => format.startsWith(t, i));
    if (token) {
      out += TOKENS[token](d);
      i += token.length;
    } else {
      out += format[i];
      i += 1;
    }
  }
  return out;
}
