/**
 * Fetching the three reports over a range: split into the chunks the plan allows (summary,
 * detailed) or into 7-day windows on the week start (weekly), the Detailed report paged at its
 * largest page size until a short page, every response's totals compared with its rows, and the
 * rows merged into one output per report. The HTTP side is a small `ReportClient`, so the same
 * code runs against the simulator in-process, on loopback, or through the connector's client.
 */
import { DateTime } from 'luxon';
import { splitRange, weeklyWindows, type ReportRange } from '../dates/report-range.ts';
import type { Scope } from '../destinations/destination.ts';
import { SyncError } from '../errors.ts';
import type { Row, TableSchema } from '../normalize/table-schema.ts';
import {
  compareTotals,
  detailedEntries,
  detailedRow,
  mergeSummaryLeaves,
  readTotals,
  reportCurrency,
  summaryLeaves,
  summaryRows,
  weeklyDays,
  weeklyRows,
  type SummaryLeaf,
  type WeeklyDay,
} from './report-flatten.ts';
import type { ReportKind, ReportOptions } from './report-options.ts';
import { DETAILED_PAGE_SIZE, detailedBody, reportPath, summaryBody, weeklyBody } from './report-request.ts';
import { DETAILED_SCHEMA, DETAILED_TAGS_SCHEMA, rangeColumns, reportReconcileScope, SUMMARY_SCHEMA, WEEKLY_SCHEMA } from './report-tables.ts';

export interface ReportClient {
  /**
   * POSTs `body` as JSON to `path` on the Reports API, `path` being relative to its base URL
   * (".../v1", e.g. "/workspaces/{ws}/reports/summary"); resolves to the parsed JSON response.
   */
  post(path: string, body: unknown): Promise<unknown>;
}

export interface ReportRun {
  workspaceId: string;
  /** From resolveReportRange; its zone is the report's zone. */
  range: ReportRange;
  options: ReportOptions;
  /** The longest range one request may cover (maxReportDays of the workspace); null = no limit. */
  maxDays: number | null;
}

export interface ReportOutput {
  kind: ReportKind;
  /** Rows per table, parent tables first. */
  tables: { schema: TableSchema; rows: Row[] }[];
  /** The reconcile scope of this run, the same for every table. */
  scope: Scope;
  /** Totals that did not match the rows, and anything else worth telling. */
  warnings: string[];
  requests: number;
  /** Requests' ranges (chunks or weekly windows). */
  windows: ReportRange[];
}

const label = (r: ReportRange) => `${r.start.toISODate()}…${r.end.toISODate()}`;

function checkZones(run: ReportRun): void {
  if (run.options.timeZone !== run.range.timeZone) {
    throw new Error(`report range zone ${run.range.timeZone} differs from the options' zone ${run.options.timeZone}`);
  }
}

export async function fetchSummaryReport(client: ReportClient, run: ReportRun): Promise<ReportOutput> {
  checkZones(run);
  const o = run.options;
  const windows = splitRange(run.range, run.maxDays);
  const leaves: SummaryLeaf[] = [];
  const warnings: string[] = [];
  for (const w of windows) {
    const json = await client.post(reportPath(run.workspaceId, 'summary'), summaryBody(w, o));
    const mine = summaryLeaves(json, o);
    leaves.push(...mine);
    // With TAG grouping an entry with several tags counts once per tag, so leaves exceed the totals.
    if (!o.groups.includes('TAG')) {
      const shown = mine.some((l) => l.money.shown !== null) ? mine.reduce((s, l) => s + (l.money.shown ?? 0), 0) : null;
      warnings.push(...compareTotals(`summary ${label(w)}`, readTotals(json, o.amounts[0]), { seconds: mine.reduce((s, l) => s + l.seconds, 0), shown, items: mine.length }));
    }
  }
  const rows = summaryRows(mergeSummaryLeaves(leaves), run.workspaceId, run.range, o);
  return { kind: 'summary', tables: [{ schema: SUMMARY_SCHEMA, rows }], scope: reportReconcileScope(run.workspaceId, run.range), warnings, requests: windows.length, windows };
}

export async function fetchDetailedReport(client: ReportClient, run: ReportRun): Promise<ReportOutput> {
  checkZones(run);
  const o = run.options;
  const windows = splitRange(run.range, run.maxDays);
  const rows: Row[] = [];
  const tags: Row[] = [];
  const seen = new Set<string>();
  const warnings: string[] = [];
  let requests = 0;
  const base = rangeColumns(run.workspaceId, run.range);
  for (const w of windows) {
    let totals = null;
    let seconds = 0;
    let shown: number | null = null;
    let count = 0;
    let previousFirst: string | undefined;
    for (let page = 1; ; page++) {
      const json = await client.post(reportPath(run.workspaceId, 'detailed'), detailedBody(w, o, page));
      requests++;
      if (page === 1) totals = readTotals(json, o.amounts[0]);
      const entries = detailedEntries(json);
      const first = String(entries[0]?._id ?? entries[0]?.id ?? '');
      if (entries.length && first === previousFirst) {
        throw new SyncError('REPORT_PAGING_LOOP', `The Detailed report returned the same page twice (page ${page}, ${label(w)}); stopping.`, { kind: 'transient' });
      }
      previousFirst = first;
      const currency = reportCurrency(json);
      for (const e of entries) {
        const r = detailedRow(e, base, run.range, o, currency);
        count++;
        seconds += r.seconds;
        if (r.shown !== null) shown = (shown ?? 0) + r.shown;
        const id = String(r.row.id);
        if (seen.has(id)) {
          warnings.push(`detailed ${label(w)}: entry ${id} came back twice; kept once.`);
          continue;
        }
        seen.add(id);
        rows.push(r.row);
        tags.push(...r.tags);
      }
      if (entries.length < DETAILED_PAGE_SIZE) break;
    }
    warnings.push(...compareTotals(`detailed ${label(w)}`, totals, { seconds, entries: count, shown, items: count }));
  }
  return {
    kind: 'detailed',
    tables: [{ schema: DETAILED_SCHEMA, rows }, { schema: DETAILED_TAGS_SCHEMA, rows: tags }],
    scope: reportReconcileScope(run.workspaceId, run.range),
    warnings,
    requests,
    windows,
  };
}

export async function fetchWeeklyReport(client: ReportClient, run: ReportRun): Promise<ReportOutput> {
  checkZones(run);
  const o = run.options;
  const windows = weeklyWindows(run.range, o.weekStart);
  const kept: WeeklyDay[] = [];
  const warnings: string[] = [];
  const { start, end, timeZone } = run.range;
  for (const w of windows) {
    const json = await client.post(reportPath(run.workspaceId, 'weekly'), weeklyBody(w, o));
    const days = weeklyDays(json, o);
    const shown = days.some((d) => d.shown !== null) ? days.reduce((s, d) => s + (d.shown ?? 0), 0) : null;
    warnings.push(...compareTotals(`weekly ${label(w)}`, readTotals(json, o.amounts[0]), { seconds: days.reduce((s, d) => s + d.seconds, 0), shown, items: days.length }));
    // Keep the days that overlap the requested range (the first and last windows may overhang it).
    for (const d of days) {
      const dayStart = DateTime.fromISO(d.date, { zone: timeZone });
      if (dayStart < end && dayStart.plus({ days: 1 }) > start) kept.push(d);
    }
  }
  const rows = weeklyRows(kept, run.workspaceId, run.range, o);
  return { kind: 'weekly', tables: [{ schema: WEEKLY_SCHEMA, rows }], scope: reportReconcileScope(run.workspaceId, run.range), warnings, requests: windows.length, windows };
}

export function fetchReport(kind: ReportKind, client: ReportClient, run: ReportRun): Promise<ReportOutput> {
  if (kind === 'summary') return fetchSummaryReport(client, run);
  if (kind === 'detailed') return fetchDetailedReport(client, run);
  return fetchWeeklyReport(client, run);
}
