/**
 * `schedule --cron "0 * * * *"`: runs the configured sync (every selected source, like `sync`)
 * on a cron schedule in one long-running process: never two runs at once, a log line per run,
 * a clean stop on SIGTERM / SIGINT (the current run finishes first).
 */
import type { Command } from 'commander';
import { configError, EXIT } from '../../errors.ts';
import { loadJobs, type CommandOptions } from '../cli-jobs.ts';
import { createCliLogger } from '../output.ts';
import { collect } from '../options.ts';
import { checkSchedule, runSchedule } from '../schedule.ts';
import { addSourceOptions, runJob } from './sync.ts';

interface ScheduleCommandOptions extends CommandOptions {
  cron?: string;
  timezone?: string;
  csvBom?: boolean;
}

export function registerSchedule(program: Command): void {
  const cmd = program
    .command('schedule')
    .description('Run the configured sync on a cron schedule in one long-running process (never two runs at once; stops cleanly on SIGTERM).');
  addSourceOptions(cmd)
    .option('--cron <expr>', 'cron expression: 5 fields (minute hour day month weekday) or 6 with seconds first; env CLOCKIFY_SCHEDULE or `schedule:` in the config file')
    .option('--cron-time-zone <tz>', "IANA zone the cron expression is read in (default: the machine's)")
    .option('--destination <spec>', 'duckdb:PATH (default duckdb:./clockify.duckdb), postgres://…, csv:DIR, jsonl:DIR, parquet:DIR, xlsx:FILE')
    .option('--schema <name>', 'database schema (PostgreSQL default clockify)')
    .option('--streams <list>', 'streams to sync, comma-separated (default all)', collect)
    .option('--mode <mode>', 'full | incremental')
    .option('--deletes <how>', 'soft | hard')
    .option('--csv-bom', 'CSV destination: start files with a UTF-8 BOM')
    .addHelpText(
      'after',
      `
Each run is the same as \`clockify-sync sync\` with the same options; its summary and a line
"run N succeeded|failed|incomplete (exit status S) in T; next run at …" go to stderr. A tick that
comes while a run is active is skipped (logged). SIGTERM or Ctrl+C stops after the current run;
a second one stops at once. The process exits 0 after a clean stop.

Examples:
  clockify-sync schedule --cron "0 * * * *"                 # hourly
  clockify-sync schedule --cron "*/15 * * * *" --streams time_entries --mode incremental
  clockify-sync schedule --config clockify-sync.yaml        # uses schedule: from the file`,
    )
    .action(async (opts: ScheduleCommandOptions & { cronTimeZone?: string }) => {
      const { config, jobs } = loadJobs(opts);
      const cron = config.schedule;
      if (!cron) {
        throw configError('SCHEDULE_MISSING', 'No schedule was given.', 'Pass --cron "0 * * * *", set CLOCKIFY_SCHEDULE, or add `schedule: "0 * * * *"` to the config file.');
      }
      checkSchedule(cron);
      const log = createCliLogger(opts);
      for (const w of config.warnings) log('warn', w);
      await runSchedule({
        cron,
        ...(opts.cronTimeZone ? { timezone: opts.cronTimeZone } : {}),
        log,
        job: async () => {
          let exit: number = EXIT.ok;
          for (const job of jobs) {
            const code = await runJob(job, opts);
            if (code !== EXIT.ok && (exit === EXIT.ok || code !== EXIT.incomplete)) exit = code;
          }
          return exit;
        },
      });
      process.exitCode = EXIT.ok;
    });
}
