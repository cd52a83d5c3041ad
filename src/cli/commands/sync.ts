import type { Command } from 'commander';
import type { ResolvedJob } from '../../config/index.ts';
import { addWriteCounts } from '../../destinations/destination.ts';
import { EXIT } from '../../errors.ts';
import { resolveInstant } from '../../dates/macros.ts';
import { flattensPages, runSync, type SyncResult } from '../../pipeline/run-sync.ts';
import type { ReportKind } from '../../reports/report-options.ts';
import { customStreamDefs } from '../../streams/custom-streams.ts';
import { STREAMS } from '../../streams/stream-table.ts';
import { loadJobs, REPORT_STREAMS } from '../cli-jobs.ts';
import { tuneHeapForSync } from '../heap-tuning.ts';
import { clientForJob, destinationForJob } from '../job.ts';
import { collect, intOption, numberOption } from '../options.ts';
import { createCliLogger } from '../output.ts';
import { createProgress, formatSummary } from '../progress.ts';
import { reportError } from '../report-error.ts';
import { reportPlanBase, runReportJob } from './report.ts';

/** Options shared by every command that talks to Clockify (no defaults here: see loadConfig's precedence). */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'configuration file (YAML or JSON); env CLOCKIFY_CONFIG')
    .option('--source <name>', 'run only this source of the configuration file')
    .option('--api-key-file <path>', 'file holding the API key (else env CLOCKIFY_API_KEY)')
    .option('--addon-token-file <path>', 'file holding an add-on token (X-Addon-Token)')
    .option('--region <region>', 'euc1 | use2 | euw2 | apse2 (default: the global host)')
    .option('--base-url <url>', 'custom host: main API at URL/api/v1, reports at URL/report/v1 (subdomains, the simulator)')
    .option('--workspace <id>', 'workspace id, repeatable or comma-separated (default: every workspace the key can see)', collect)
    .option('--requests-per-second <n>', 'pace requests (default 10)', numberOption)
    .option('--concurrency <n>', 'requests in flight at once (default 4)', intOption)
    .option('--timeout-ms <n>', 'timeout of each request (default 30000)', intOption)
    .option('--json', 'structured JSON log lines on stderr')
    .option('--quiet', 'only warnings and errors')
    .option('--verbose', 'debug log lines (secrets are still masked)');
}

export function registerSync(program: Command): void {
  const cmd = program
    .command('sync')
    .description('Sync every Clockify entity of every workspace the key can see into a destination.');
  addSourceOptions(cmd)
    .option('--destination <spec>', 'duckdb:PATH (default duckdb:./clockify.duckdb), postgres://…, csv:DIR, jsonl:DIR, parquet:DIR, xlsx:FILE')
    .option('--schema <name>', 'database schema (PostgreSQL default clockify)')
    .option('--streams <list>', `streams to sync, comma-separated (default: every entity stream: ${STREAMS.map((s) => s.name).join(', ')}; reports: ${REPORT_STREAMS.join(', ')})`, collect)
    .option('--mode <mode>', 'full | incremental')
    .option('--deletes <how>', 'soft (mark _deleted_at, default) | hard (remove rows)')
    .option('--update-window <window>', 'incremental: reread time entries this far before the last savepoint (7d, 48h, 2w) or back to the lock date (lock)')
    .option('--start-date <date>', 'first run: read time entries from this date (YYYY-MM-DD, ISO 8601 or a macro such as {{30daysago}}); default all history')
    .option('--time-entries-source <source>', 'auto (fewer requests) | users (one paged call per user) | report (the Detailed report)')
    .option('--plan <plan>', 'free: plan within 30 requests per hour per workspace (new Free plans) | paid')
    .option('--now <iso>', 'pin the clock (ISO 8601), for reproducible backfills and macros')
    .option('--csv-bom', 'CSV destination: start files with a UTF-8 BOM (for Excel)')
    .addHelpText(
      'after',
      `
The API key is read from CLOCKIFY_API_KEY or --api-key-file, never from the command line.

Examples:
  CLOCKIFY_API_KEY=… clockify-sync sync
  clockify-sync sync --api-key-file ~/.clockify-key --region euc1 --destination postgres://me@db:5432/warehouse
  clockify-sync sync --base-url http://127.0.0.1:8899 --streams projects,time_entries --destination parquet:./out
  clockify-sync sync --mode incremental --update-window 14d --deletes hard
  clockify-sync sync --mode full --start-date '{{12monthsago}}' --streams time_entries,report_summary`,
    )
    .action(async (opts) => {
      const { jobs } = loadJobs(opts);
      let exit: number = EXIT.ok;
      for (const job of jobs) {
        const code = await runJob(job, opts);
        if (code !== EXIT.ok && (exit === EXIT.ok || code !== EXIT.incomplete)) exit = code;
      }
      process.exitCode = exit;
    });
}

/** Runs one configured sync, printing progress and the summary on stderr; returns the exit status. */
export async function runJob(job: ResolvedJob, opts: { json?: boolean; quiet?: boolean; verbose?: boolean; csvBom?: boolean; now?: string }): Promise<number> {
  let progressRef: ReturnType<typeof createProgress> | null = null;
  const log = createCliLogger(opts, (line) => (progressRef ? progressRef.writeLine(line) : process.stderr.write(line + '\n')));
  const progress = createProgress({ tty: process.stderr.isTTY === true, json: !!opts.json, quiet: !!opts.quiet, log });
  progressRef = progress;
  const now = opts.now ? resolveInstant(opts.now, { timeZone: 'UTC' }).toJSDate() : undefined;
  const startDate = job.startDate ? resolveInstant(job.startDate, { now, timeZone: 'UTC' }).toJSDate() : undefined;
  const client = clientForJob(job);
  const destination = destinationForJob(job, { csvBom: opts.csvBom });
  // Raw time-entry pages loaded by DuckDB; CLOCKIFY_RAW_PAGES=0 parses every page in JavaScript.
  const rawPages = process.env.CLOCKIFY_RAW_PAGES !== '0';
  tuneHeapForSync(flattensPages(destination, rawPages));
  log('info', `${job.source}: syncing into ${destination.description}`);
  // Report streams (report_summary, …) run through the reports module after the entity streams.
  const reportKinds = (job.streams ?? []).filter((s) => REPORT_STREAMS.includes(s)).map((s) => s.replace(/^report_/, '') as ReportKind);
  const entityStreams = job.streams?.filter((s) => !REPORT_STREAMS.includes(s));
  let result: SyncResult;
  const started = new Date();
  try {
    result = entityStreams?.length === 0
      ? { runId: '', startedAt: started, endedAt: started, status: 'succeeded', workspaces: [], tables: {}, requests: 0, durationMs: 0, warnings: [] } as unknown as SyncResult
      : await runSync({
      client,
      destination,
      workspaces: job.workspaces,
      streams: entityStreams ?? undefined,
      // A mode, plan or source left at its default lets the pipeline choose (incremental once a
      // full sync has succeeded; the source needing fewer requests).
      mode: job.origins.mode === 'default' ? undefined : job.mode,
      deletes: job.deletes,
      updateWindow: job.updateWindow,
      startDate,
      timeEntriesSource: job.timeEntriesSource,
      plan: job.origins.plan === 'default' ? undefined : job.plan,
      customStreams: customStreamDefs(job.customStreams, { now }),
      rawPages,
      now: now ? () => now : undefined,
      log,
      onProgress: (stream, ws, c) => (c.done ? progress.done(stream, ws, c) : progress.update(stream, ws, c)),
    });
    if (!result.error) {
      const windows = Object.values(result.timeEntries ?? {}).map((t) => t.windowStart).filter((w): w is Date => !!w);
      await destination.setRunInfo?.({
        workspaces: result.workspaces,
        mode: [...new Set(Object.values(result.timeEntries ?? {}).map((t) => t.mode))].join(', ') || job.mode,
        range: windows.length ? { from: new Date(Math.min(...windows.map((w) => w.getTime()))), to: result.endedAt } : { from: startDate ?? null, to: result.endedAt },
        notes: result.warnings,
      });
    }
    for (const kind of result.error ? [] : reportKinds) {
      const rep = await runReportJob(job, kind, reportPlanBase(kind, job, { now: opts.now }), { client, destination, log, now: now ? () => now : undefined });
      addWriteCounts(result.tables, rep.tables);
      result.requests += rep.requests;
      result.warnings.push(...rep.warnings);
    }
  } finally {
    progress.stop();
    await destination.close().catch(() => {});
  }
  for (const w of result.warnings) log('warn', w);
  if (!opts.quiet) process.stderr.write(formatSummary({ tables: result.tables, requests: result.requests, durationMs: Date.now() - started.getTime(), incomplete: result.incomplete }) + '\n');
  if (result.error) return reportError(result.error, !!opts.verbose);
  return result.status === 'incomplete' ? EXIT.incomplete : EXIT.ok;
}

