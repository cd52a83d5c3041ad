/**
 * `report summary|detailed|weekly`: fetches a report for every selected workspace and writes
 * report_summary / report_detailed (+ report_detailed__tags) / report_weekly. A rerun over the
 * same range replaces that range's rows. Every option is checked before any request is made and
 * every report is fetched before the destination is opened, so a bad option or a failed request
 * writes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ClockifyClient } from '../../clockify/client.ts';
import { CONFIG_DEFAULTS, type ResolvedJob } from '../../config/index.ts';
import { addWriteCounts, type Destination, type WriteCounts } from '../../destinations/destination.ts';
import { configError, EXIT, SyncError } from '../../errors.ts';
import { currentUser } from '../../extract/index.ts';
import type { Logger } from '../../log.ts';
import { reportClientFromClockify } from '../../reports/report-client.ts';
import { fetchReport, type ReportOutput } from '../../reports/report-fetch.ts';
import { REPORT_KINDS, type ReportKind, type ReportOptionsInput } from '../../reports/report-options.ts';
import { planReport, type ReportPlanInput } from '../../reports/report-plan.ts';
import { reportTableSchemas } from '../../reports/report-tables.ts';
import { redact } from '../../secrets.ts';
import { loadJobs, workspacesFor, type CommandOptions } from '../cli-jobs.ts';
import { clientForJob, destinationForJob } from '../job.ts';
import { collect } from '../options.ts';
import { createCliLogger } from '../output.ts';
import { formatSummary } from '../progress.ts';
import { workspaceForPlan } from './preview.ts';
import { addSourceOptions } from './sync.ts';

export interface ReportCommandOptions extends CommandOptions {
  groups?: string[];
  weeklyGroup?: string;
  users?: string[];
  projects?: string[];
  clients?: string[];
  tags?: string[];
  userStatus?: string;
  billable?: string;
  rounding?: boolean;
  amounts?: string[];
  timeZone?: string;
  start?: string;
  end?: string;
  now?: string;
  weekStart?: string;
  macroUnit?: string;
}

const WRITE_CHUNK = 10_000;

/** The report kind named on the command line (REPORT_KIND_INVALID, exit 2). */
export function checkReportKind(kind: string): ReportKind {
  const k = kind.trim().toLowerCase();
  if ((REPORT_KINDS as readonly string[]).includes(k)) return k as ReportKind;
  throw configError('REPORT_KIND_INVALID', `Unknown report "${kind}". Reports: ${REPORT_KINDS.join(', ')}.`, 'Example: clockify-sync report summary --start 2026-11-01 --end 2026-12-01');
}

/** Flags first, then the job's configured report settings. The zone: --time-zone, CLOCKIFY_REPORT_TIME_ZONE, a non-default configured zone, else the key owner's profile. */
export function reportPlanBase(kind: ReportKind, job: ResolvedJob, o: ReportCommandOptions, env: NodeJS.ProcessEnv = process.env): Omit<ReportPlanInput, 'workspace' | 'profileTimeZone'> {
  const configuredZone = job.reports.timeZone !== CONFIG_DEFAULTS.reports.timeZone ? job.reports.timeZone : undefined;
  const options: ReportOptionsInput = {
    groups: o.groups?.length ? o.groups : job.reports.groups,
    weeklyGroup: o.weeklyGroup ?? job.reports.weeklyGroup,
    users: o.users,
    projects: o.projects,
    clients: o.clients,
    tags: o.tags,
    userStatus: o.userStatus,
    billable: o.billable,
    rounding: o.rounding ?? job.reports.rounding,
    amounts: o.amounts?.length ? o.amounts : job.reports.amounts,
  };
  return {
    kind,
    start: o.start ?? job.reports.start,
    end: o.end ?? job.reports.end,
    now: o.now,
    timeZone: o.timeZone ?? (env.CLOCKIFY_REPORT_TIME_ZONE?.trim() || configuredZone),
    weekStart: o.weekStart,
    macroUnit: o.macroUnit,
    options,
  };
}

export interface ReportJobResult {
  tables: Record<string, WriteCounts>;
  requests: number;
  durationMs: number;
  warnings: string[];
}

/** Fetches the report of every workspace of the job, then writes them (one transaction per workspace). */
export async function runReportJob(
  job: ResolvedJob,
  kind: ReportKind,
  base: Omit<ReportPlanInput, 'workspace' | 'profileTimeZone'>,
  deps: { client: ClockifyClient; destination: Destination; log: Logger; now?: () => Date },
): Promise<ReportJobResult> {
  const { client, destination, log } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const user = await currentUser(client);
  const settings = (user.settings ?? {}) as Record<string, unknown>;
  const workspaces = await workspacesFor(client, job);
  const outputs: ReportOutput[] = [];
  const warnings: string[] = [];
  for (const ws of workspaces) {
    const plan = planReport({ ...base, workspace: workspaceForPlan(ws, settings), profileTimeZone: typeof settings.timeZone === 'string' ? settings.timeZone : null });
    log('info', `${kind} report of workspace ${String(ws.name ?? '')} (${ws.id})`);
    for (const note of plan.notes) log('info', `  ${note}`);
    const out = await fetchReport(kind, reportClientFromClockify(client), plan.run);
    for (const w of out.warnings) {
      warnings.push(w);
      log('warn', w);
    }
    outputs.push(out);
  }

  const runId = randomUUID();
  const tables: Record<string, WriteCounts> = {};
  await destination.open();
  try {
    await destination.ensureTables(reportTableSchemas(kind));
    for (const out of outputs) {
      const tx = await destination.begin();
      try {
        for (const t of out.tables) {
          for (let i = 0; i < t.rows.length; i += WRITE_CHUNK) await tx.write(t.schema.name, t.rows.slice(i, i + WRITE_CHUNK));
        }
        for (const t of out.tables) if (!t.schema.parent) await tx.reconcile(t.schema.name, out.scope, 'hard');
        addWriteCounts(tables, await tx.commit());
      } catch (err) {
        await tx.rollback().catch(() => {});
        throw err;
      }
    }
    const endedAt = now();
    await destination
      .recordRun({
        runId,
        startedAt,
        endedAt,
        status: 'succeeded',
        mode: `report ${kind}`,
        rowsPerTable: Object.fromEntries(Object.entries(tables).map(([t, c]) => [t, c.inserted + c.updated + c.unchanged])),
        requests: client.requestCount,
      })
      .catch((e) => log('warn', redact(`could not record the run: ${(e as Error).message}`)));
    return { tables, requests: client.requestCount, durationMs: endedAt.getTime() - startedAt.getTime(), warnings };
  } finally {
    await destination.close().catch(() => {});
  }
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report <kind>')
    .description('Fetch the Summary, Detailed or Weekly report and write it to a destination (report_summary, report_detailed + report_detailed__tags, report_weekly).');
  addSourceOptions(cmd)
    .option('--destination <spec>', 'duckdb:PATH (default duckdb:./clockify.duckdb), postgres://…, csv:DIR, jsonl:DIR, parquet:DIR, xlsx:FILE')
    .option('--schema <name>', 'database schema (PostgreSQL default clockify)')
    .option('--start <date>', 'range start: YYYY-MM-DD, a date-time or a macro ({{lastmonthstart}}); default one month ago')
    .option('--end <date>', 'range end, exclusive at 00:00 (all of November: --start 2026-11-01 --end 2026-12-01)')
    .option('--now <iso>', 'pin the clock (ISO 8601) for macros and default ranges')
    .option('--time-zone <tz>', "IANA zone of the report (default: the key owner's profile zone)")
    .option('--week-start <day>', 'first day of the week (MONDAY … SUNDAY)')
    .option('--macro-unit <unit>', "unit of Nexla's {now±N}: day, week, month or hour")
    .option('--groups <list>', 'summary: up to 3 of PROJECT, CLIENT, USER, TASK, TAG, DATE, WEEK, MONTH, TIMEENTRY', collect)
    .option('--weekly-group <group>', 'weekly: USER or PROJECT')
    .option('--users <ids>', 'only these user ids (repeatable or comma-separated)', collect)
    .option('--projects <ids>', 'only these project ids', collect)
    .option('--clients <ids>', 'only these client ids', collect)
    .option('--tags <ids>', 'only these tag ids', collect)
    .option('--user-status <status>', 'ALL (default: deactivated people count), ACTIVE, INACTIVE, PENDING, ACTIVE_WITH_PENDING')
    .option('--billable <bool>', 'true: only billable entries; false: only non-billable')
    .option('--rounding', "apply the workspace's rounding")
    .option('--amounts <list>', 'earned, cost, profit (comma-separated; the first is `amount`)', collect)
    .addHelpText(
      'after',
      `
Without --start and --end the range is one month ago (start of day) to the coming midnight;
--start alone covers one month. Long ranges are split as the workspace's plan requires and the
rows merged; a rerun over the same range replaces that range's rows. The time zone used is
stated on stderr. Nothing goes to stdout.

Examples:
  clockify-sync report summary --groups PROJECT,USER,DATE --start 2026-11-01 --end 2026-12-01
  clockify-sync report detailed --start '{{lastmonthstart}}' --end '{{thismonthstart}}' --destination postgres://me@db/warehouse
  clockify-sync report weekly --weekly-group PROJECT --start '{{lastweekstart}}' --time-zone Europe/Berlin --destination csv:./reports`,
    )
    .action(async (kindArg: string, opts: ReportCommandOptions) => {
      const kind = checkReportKind(kindArg);
      const { jobs } = loadJobs(opts);
      // Every option (groups, amounts, zone, dates, macros) is checked before any request.
      const bases = jobs.map((job) => {
        const base = reportPlanBase(kind, job, opts);
        planReport({ ...base, workspace: { id: 'check' }, profileTimeZone: 'UTC' });
        return base;
      });
      const log = createCliLogger(opts);
      let exit: number = EXIT.ok;
      for (const [i, job] of jobs.entries()) {
        const client = clientForJob(job);
        const destination = destinationForJob(job);
        log('info', `${job.source}: ${kind} report into ${destination.description}`);
        try {
          const result = await runReportJob(job, kind, bases[i], { client, destination, log });
          if (!opts.quiet) process.stderr.write(formatSummary({ tables: result.tables, requests: result.requests, durationMs: result.durationMs }) + '\n');
        } catch (err) {
          if (!(err instanceof SyncError) || jobs.length === 1) throw err;
          log('error', `${job.source}: [${err.code}] ${err.message}`);
          if (exit === EXIT.ok) exit = err.exitCode;
        }
      }
      process.exitCode = exit;
    });
}
