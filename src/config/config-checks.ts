/**
 * Value checks shared by the config schema and the schedule: each returns null when the value
 * is fine, else the end of a sentence "… must be …" that says what is allowed.
 */
import { Cron } from 'croner';
import { IANAZone } from 'luxon';
import { DESTINATION_KINDS } from './config-types.ts';

export function cronProblem(expr: string): string | null {
  const text = expr.trim();
  const fields = text.split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    return 'must be a cron expression of 5 fields (minute hour day month weekday, e.g. "0 * * * *") or 6 with seconds first';
  }
  try {
    const job = new Cron(text, { paused: true, mode: '5-or-6-parts' });
    const next = job.nextRun();
    job.stop();
    if (!next) return 'never matches a future time';
    return null;
  } catch (err) {
    return `must be a valid cron expression (${(err as Error).message})`;
  }
}

export function timeZoneProblem(zone: string): string | null {
  return IANAZone.isValidZone(zone) ? null : 'must be an IANA time zone such as "UTC" or "Europe/Berlin"';
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function validCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** YYYY-MM-DD, an ISO 8601 date-time, or (when macros are allowed) a {{macro}}. */
export function dateProblem(text: string, allowMacro: boolean): string | null {
  if (allowMacro && /^\{\{[^{}]+\}\}$/.test(text.trim())) return null;
  if (validCalendarDate(text)) return null;
  if (DATETIME_RE.test(text) && validCalendarDate(text.slice(0, 10)) && !Number.isNaN(Date.parse(text))) return null;
  return `must be a date YYYY-MM-DD or an ISO date-time such as 2024-01-31T00:00:00Z${allowMacro ? ', or a {{macro}}' : ''}`;
}

export const UPDATE_WINDOW_RE = /^(\d+)([hdw])$/;

export function updateWindowProblem(text: string): string | null {
  if (text === 'lock' || UPDATE_WINDOW_RE.test(text)) return null;
  return 'must be a duration such as 7d, 48h or 2w (hours, days, weeks), or "lock" (back to the workspace lock date)';
}

export function urlProblem(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
    if (url.username || url.password) return 'must not contain a user name or password';
    return null;
  } catch {
    return 'must be an http:// or https:// URL such as https://euc1.clockify.me/api/v1';
  }
}

export const WORKSPACE_ID_RE = /^[0-9a-fA-F]{24}$/;

export const DESTINATION_EXAMPLES =
  'duckdb:./clockify.duckdb, postgres://user@host:5432/db, csv:./out, jsonl:./out, parquet:./out or xlsx:./clockify.xlsx';

export function destinationProblem(text: string): string | null {
  const allowed = `must be a destination such as ${DESTINATION_EXAMPLES}`;
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      if (!url.hostname && !url.searchParams.get('host')) return `${allowed} (the PostgreSQL URL has no host)`;
      return null;
    } catch {
      return `${allowed} (the PostgreSQL URL cannot be parsed)`;
    }
  }
  const m = /^([a-z]+):(.*)$/i.exec(text);
  if (!m || !(DESTINATION_KINDS as readonly string[]).includes(m[1].toLowerCase()) || m[1].toLowerCase() === 'postgres') return allowed;
  if (!m[2].trim()) return `${allowed} (a path is needed after "${m[1]}:")`;
  return null;
}
