/**
 * Time entries from the Detailed report (all users in one paged call, pageSize 1000), converted
 * back to the main API's time-entry shape so both sources fill the same `time_entries` tables:
 *
 * | main API                   | from the report                                               |
 * |----------------------------|---------------------------------------------------------------|
 * | id                         | `_id`                                                         |
 * | projectId, taskId          | `projectId`/`taskId`, '' → null                               |
 * | tagIds                     | `tags[].id` (null when none, as the main API)                 |
 * | timeInterval.start/end     | offset timestamps → UTC `…Z`                                  |
 * | timeInterval.duration      | seconds → ISO 8601 (`PT1H30M`)                                |
 * | hourlyRate                 | billable: `earnedRate`; not billable or 0: resolved (*)        |
 * | costRate                   | `costRate`; 0: resolved (0 or null)                           |
 * | customFieldValues          | `customFields[]` → `{customFieldId, timeEntryId, name, type: 'TIMEENTRY' (*), value}` |
 * | kioskId                    | null (the main API's usual value; not in the report)          |
 * | workspaceId                | the workspace                                                 |
 *
 * (*) Not in the report: the rate of a non-billable entry is 0 whatever its hourly rate (resolved
 * from the run's entities, report-rates.ts: today's rate, not a historical one), and a custom-field
 * value's source (WORKSPACE / PROJECT / TIMEENTRY) is not sent: 'TIMEENTRY', the value is on the entry.
 * Reports never list running timers: read them from the in-progress endpoint.
 * The request range is UTC wall clock ([start, end) in UTC), so no zone reading applies.
 */
import { DateTime } from 'luxon';
import type { ClockifyClient } from '../clockify/client.ts';
import { paginate } from '../clockify/paginate.ts';
import { MAX_PAGE_SIZE_DETAILED_REPORT } from '../streams/stream-table.ts';
import type { Rate, RateResolver } from './report-rates.ts';

/** Fields of a converted entry whose value the report cannot give (see the table above). */
export const REPORT_UNDERIVABLE = [
  'hourly_rate of non-billable entries: resolved from the entities (today\'s rate, not the rate the entry was written with)',
  "time_entries__custom_field_values.type: always 'TIMEENTRY' (the report does not say whether a value came from a workspace or project default)",
  'project_id / task_id of entries whose project or task was deleted: the report names none (null), and their rates resolve without it',
  'kiosk_id (always null)',
] as const;

/** Seconds → ISO 8601 duration as the main API writes it (`PT8H`, `PT1H30M5S`, `PT0S`). */
export function isoDurationFromSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (s === 0) return 'PT0S';
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${sec ? `${sec}S` : ''}`;
}

const utc = (v: unknown): string | null => {
  if (typeof v !== 'string' || v === '') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.000Z$/, 'Z') : null;
};
const idOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const cents = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : 0);

/**
 * One Detailed-report entry → the main API's time entry. `rates` resolves what the report does
 * not say (see report-rates.ts); without it a non-billable entry's hourly rate is null.
 */
export function reportEntryToApi(e: Record<string, unknown>, workspaceId: string, rates?: RateResolver): Record<string, unknown> {
  const id = String(e._id ?? e.id ?? '');
  const ti = (e.timeInterval ?? {}) as Record<string, unknown>;
  const tags = Array.isArray(e.tags) ? (e.tags as unknown[]) : [];
  const tagIds = tags.map((t) => (t && typeof t === 'object' ? (t as { id?: unknown }).id : t)).filter((t): t is string => typeof t === 'string' && t !== '');
  const currency = typeof e.currency === 'string' ? e.currency : null;
  const billable = e.billable === true;
  const fields = Array.isArray(e.customFields) ? (e.customFields as Record<string, unknown>[]) : [];
  const projectId = idOrNull(e.projectId);
  const taskId = idOrNull(e.taskId);
  const resolved = rates?.resolve(String(e.userId ?? ''), projectId, taskId);
  const earned = cents(e.earnedRate);
  const cost = cents(e.costRate);
  // A non-zero report rate is the entry's own; 0 means "0 or no rate" (or, for the hourly rate of
  // a non-billable entry, "not shown"): then the resolved rate decides.
  let hourlyRate: Rate | null;
  if (billable && earned !== 0) hourlyRate = currency === null ? null : { amount: earned, currency };
  else if (billable) hourlyRate = resolved?.hourly ? { amount: 0, currency: resolved.hourly.currency || currency || '' } : null;
  else hourlyRate = resolved?.hourly ?? null;
  let costRate: Rate | null;
  if (cost !== 0) costRate = currency === null ? null : { amount: cost, currency };
  else costRate = resolved?.cost ? { amount: 0, currency: resolved.cost.currency || currency || '' } : null;
  return {
    id,
    description: typeof e.description === 'string' ? e.description : '',
    userId: e.userId ?? null,
    workspaceId,
    projectId,
    taskId,
    tagIds: tagIds.length ? tagIds : null,
    billable,
    isLocked: e.isLocked === true,
    type: e.type ?? null,
    kioskId: null,
    timeInterval: {
      start: utc(ti.start),
      end: utc(ti.end),
      duration: typeof ti.duration === 'number' ? isoDurationFromSeconds(ti.duration) : null,
    },
    hourlyRate,
    costRate,
    customFieldValues: fields.map((f) => ({ customFieldId: f.customFieldId, timeEntryId: id, name: f.name ?? '', type: 'TIMEENTRY', value: f.value ?? null })),
  };
}

export interface ReportEntriesOptions {
  /** Entries with start in [start, end) (UTC). */
  start: Date;
  end: Date;
  /** Longest range one request may cover (the plan's limit); null = no limit. */
  maxDays: number | null;
  rates?: RateResolver;
  signal?: AbortSignal;
}

/**
 * Pages of converted entries from the Detailed report over [start, end), split into chunks the
 * plan allows. Yields each page as it arrives; `requests` counts every request.
 */
export async function* fetchReportEntries(
  client: ClockifyClient, workspaceId: string, opts: ReportEntriesOptions, counter: { requests: number } = { requests: 0 },
): AsyncGenerator<Record<string, unknown>[]> {
  const chunkMs = opts.maxDays === null ? Infinity : opts.maxDays * 86_400_000;
  for (let from = opts.start.getTime(); from < opts.end.getTime(); ) {
    const to = Math.min(opts.end.getTime(), from + chunkMs);
    const body = {
      dateRangeStart: DateTime.fromMillis(from, { zone: 'UTC' }).toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS"),
      dateRangeEnd: DateTime.fromMillis(to - 1, { zone: 'UTC' }).toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS"),
      timeZone: 'UTC',
      dateRangeType: 'ABSOLUTE',
      sortOrder: 'ASCENDING',
      exportType: 'JSON',
      amountShown: 'EARNED',
      amounts: ['EARNED', 'COST'],
      rounding: false,
      users: { ids: [], contains: 'CONTAINS', status: 'ALL' },
      detailedFilter: { sortColumn: 'DATE', options: { totals: 'EXCLUDE' } },
    };
    const path = `/workspaces/${encodeURIComponent(workspaceId)}/reports/detailed`;
    const chain = paginate<Record<string, unknown>>(client, {
      api: 'reports', method: 'POST', path, template: '/workspaces/{workspaceId}/reports/detailed', body,
      pagination: { kind: 'body', maxPageSize: MAX_PAGE_SIZE_DETAILED_REPORT, bodyPath: 'detailedFilter' },
      itemsPath: 'timeentries', signal: opts.signal,
    });
    try {
      for await (const page of chain) {
        const out: Record<string, unknown>[] = [];
        for (const e of page.items) {
          const api = reportEntryToApi(e, workspaceId, opts.rates);
          const start = Date.parse(String((api.timeInterval as { start: string | null }).start));
          if (start >= from && start < to) out.push(api);
        }
        if (out.length) yield out;
      }
    } finally {
      counter.requests += chain.requests;
    }
    from = to;
  }
}
