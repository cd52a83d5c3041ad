/**
 * `preview STREAM [--limit 20]`: fetches a sample of a stream (or a report) from the first
 * workspace (or --workspace) and prints its normalized rows, writing nothing anywhere.
 */
import type { Command } from 'commander';
import type { ClockifyClient } from '../../clockify/client.ts';
import { configError, EXIT } from '../../errors.ts';
import { currentUser, extractWorkspace, type ClockifyRecord } from '../../extract/index.ts';
import { createNormalizer } from '../../normalize/normalizer.ts';
import type { Row } from '../../normalize/table-schema.ts';
import { reportClientFromClockify } from '../../reports/report-client.ts';
import { fetchReport } from '../../reports/report-fetch.ts';
import type { ReportKind } from '../../reports/report-options.ts';
import { planReport } from '../../reports/report-plan.ts';
import { STREAMS } from '../../streams/stream-table.ts';
import { closest } from '../../config/config-suggest.ts';
import { describeOption, formatRows, KNOWN_STREAMS, loadJobs, printData, toJson, workspacesFor, type CommandOptions } from '../cli-jobs.ts';
import { clientForJob } from '../job.ts';
import { createCliLogger } from '../output.ts';
import { intOption } from '../options.ts';
import { addSourceOptions } from './sync.ts';

export interface PreviewResult {
  stream: string;
  workspace: { id: string; name: string };
  /** Table → rows (the stream's own table first, then child tables, only rows of the sampled records). */
  tables: Record<string, Row[]>;
  notes: string[];
}

const REPORT_KIND: Record<string, ReportKind> = { report_summary: 'summary', report_detailed: 'detailed', report_weekly: 'weekly' };

/** Checks the stream name (CONFIG_UNKNOWN_STREAM, exit 2, with the closest names). */
export function checkStreamName(name: string): string {
  const n = name.trim().toLowerCase().replace(/-/g, '_');
  if (KNOWN_STREAMS.includes(n)) return n;
  const guess = closest(n, KNOWN_STREAMS);
  throw configError('CONFIG_UNKNOWN_STREAM', `Unknown stream "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}.`, `Streams: ${KNOWN_STREAMS.join(', ')}.`);
}

/** A sample of an entity stream: stops reading once `limit` records came. */
export async function previewEntityStream(client: ClockifyClient, ws: ClockifyRecord, stream: string, limit: number): Promise<PreviewResult> {
  const def = STREAMS.find((s) => s.name === stream)!;
  const normalizer = createNormalizer([def]);
  const records: unknown[] = [];
  for await (const ev of extractWorkspace(client, ws, [def], { concurrency: 1, bufferPages: 1 })) {
    if (ev.kind !== 'records' || ev.stream !== stream) continue;
    records.push(...ev.records.slice(0, limit - records.length));
    if (records.length >= limit) break;
  }
  const out = normalizer.normalize(stream, ws.id, records);
  const tables: Record<string, Row[]> = {};
  for (const t of normalizer.tablesFor(stream)) tables[t.name] = out.rows.get(t.name) ?? [];
  return { stream, workspace: { id: ws.id, name: String(ws.name ?? '') }, tables, notes: [] };
}

export interface ReportPreviewOptions {
  start?: string;
  end?: string;
  now?: string;
  timeZone?: string;
  weekStart?: string;
  macroUnit?: string;
}

/** The fields planReport reads from a workspace (plan, features) plus the key owner's week start. */
export function workspaceForPlan(ws: ClockifyRecord, userSettings: Record<string, unknown> = {}) {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: ws.id,
    featureSubscriptionType: str(ws.featureSubscriptionType),
    features: Array.isArray(ws.features) ? (ws.features as string[]) : null,
    weekStart: str(userSettings.weekStart),
  };
}

/** A sample of a report over the range the options give (default: Coupler's last month). */
export async function previewReport(client: ClockifyClient, ws: ClockifyRecord, stream: string, limit: number, o: ReportPreviewOptions): Promise<PreviewResult> {
  const kind = REPORT_KIND[stream];
  const user = o.timeZone ? undefined : await currentUser(client);
  const settings = (user?.settings ?? {}) as Record<string, unknown>;
  const plan = planReport({
    kind,
    workspace: workspaceForPlan(ws, settings),
    profileTimeZone: typeof settings.timeZone === 'string' ? settings.timeZone : null,
    start: o.start,
    end: o.end,
    now: o.now,
    timeZone: o.timeZone,
    weekStart: o.weekStart,
    macroUnit: o.macroUnit,
  });
  const out = await fetchReport(kind, reportClientFromClockify(client), plan.run);
  const tables: Record<string, Row[]> = {};
  const main = out.tables[0];
  const kept = main.rows.slice(0, limit);
  tables[main.schema.name] = kept;
  for (const child of out.tables.slice(1)) {
    const cols = child.schema.parent?.columns ?? [];
    const parentKeys = main.schema.primaryKey;
    const keys = new Set(kept.map((r) => parentKeys.map((k) => String(r[k])).join('\u0000')));
    tables[child.schema.name] = child.rows.filter((r) => keys.has(cols.map((c) => String(r[c])).join('\u0000')));
  }
  return { stream, workspace: { id: ws.id, name: String(ws.name ?? '') }, tables, notes: [...plan.notes, ...out.warnings] };
}

export function registerPreview(program: Command): void {
  const cmd = program
    .command('preview <stream>')
    .description('Fetch a sample of a stream or report and print its rows, writing nothing (like a "Test" button).');
  describeOption(addSourceOptions(cmd), '--json', 'the rows (and child-table rows) as JSON on stdout; log lines as JSON on stderr')
    .option('--limit <n>', 'rows to show (default 20)', intOption, 20)
    .option('--start <date>', 'reports: range start (date, date-time or macro such as {{lastmonthstart}})')
    .option('--end <date>', 'reports: range end, exclusive')
    .option('--now <iso>', 'reports: pin the clock for macros')
    .option('--time-zone <tz>', "reports: IANA zone (default: the key owner's profile zone)")
    .option('--week-start <day>', 'reports: first day of the week')
    .option('--macro-unit <unit>', "reports: unit of {now±N}")
    .addHelpText(
      'after',
      `
STREAM is an entity stream (${STREAMS.map((s) => s.name).join(', ')})
or a report (report_summary, report_detailed, report_weekly). Rows are printed as a table on
stdout (child-table rows with --json). Nothing is written to any destination.

Examples:
  clockify-sync preview projects
  clockify-sync preview time_entries --limit 5 --json
  clockify-sync preview report_summary --start '{{lastmonthstart}}' --end '{{thismonthstart}}' --workspace 64a687e29ae1f428e7ebe303`,
    )
    .action(async (stream: string, opts: CommandOptions & ReportPreviewOptions & { limit: number }) => {
      const name = checkStreamName(stream);
      if (opts.limit < 1) throw configError('PREVIEW_LIMIT_INVALID', `--limit must be at least 1 (got ${opts.limit}).`);
      const { jobs } = loadJobs(opts);
      const job = jobs[0];
      const log = createCliLogger(opts);
      if (jobs.length > 1) log('info', `previewing source ${job.source} (pick another with --source)`);
      const client = clientForJob(job);
      const [ws] = await workspacesFor(client, job);
      if (!ws) throw configError('WORKSPACE_NONE', 'This key sees no workspace.', 'Check that the key belongs to a user who is a member of a workspace.');
      const result = name in REPORT_KIND ? await previewReport(client, ws, name, opts.limit, opts) : await previewEntityStream(client, ws, name, opts.limit);
      for (const n of result.notes) log('info', n);
      const [mainTable, ...children] = Object.keys(result.tables);
      const rows = result.tables[mainTable];
      log('info', `${name}: ${rows.length} row${rows.length === 1 ? '' : 's'} from workspace ${result.workspace.name} (${result.workspace.id}); ${client.requestCount} requests; nothing written`);
      if (opts.json) printData(toJson(result));
      else {
        printData(rows.length ? formatRows(rows) : `(no rows in ${mainTable})`);
        for (const child of children) if (result.tables[child].length) log('info', `${child}: ${result.tables[child].length} child rows (shown with --json)`);
      }
      process.exitCode = EXIT.ok;
    });
}
