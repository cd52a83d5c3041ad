/**
 * `schedule`: runs a job on a cron schedule in one long-running process. Never two runs at
 * once (a tick during a run is skipped, with a log line), a log line per run, and a clean stop
 * on SIGTERM / SIGINT or an AbortSignal: the current run finishes, then runSchedule resolves.
 */
import { Cron } from 'croner';
import { cronProblem } from '../config/config-checks.ts';
import { configError, EXIT, SyncError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface ScheduleOptions {
  /** 5 fields (minute hour day month weekday) or 6 with seconds first. */
  cron: string;
  /** One run; resolves to its exit status (0 ok, 1 failure, 2 config, 3 incomplete). A throw counts as a failure. */
  job: () => Promise<number>;
  log: Logger;
  /** Aborting stops the schedule like SIGTERM does. */
  signal?: AbortSignal;
  /** Clock in ms for durations (default Date.now). */
  now?: () => number;
  /** IANA time zone the cron expression is read in (default: the process's). */
  timezone?: string;
  /** Listen to SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
}

const STATUS_WORDS: Record<number, string> = { 0: 'succeeded', 1: 'failed', 2: 'failed (configuration)', 3: 'incomplete' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Validates a cron expression for the schedule command (SyncError SCHEDULE_INVALID). */
export function checkSchedule(cron: string): void {
  const problem = cronProblem(cron);
  if (problem) {
    throw configError(
      'SCHEDULE_INVALID',
      `The schedule ${JSON.stringify(cron)} ${problem}.`,
      'Examples: "0 * * * *" (hourly), "*/15 * * * *" (every 15 minutes), "30 2 * * *" (daily at 02:30), "0 6 * * 1-5" (weekdays at 06:00).',
    );
  }
}

export function runSchedule(opts: ScheduleOptions): Promise<void> {
  try {
    checkSchedule(opts.cron);
  } catch (err) {
    return Promise.reject(err);
  }
  const { log, job } = opts;
  const now = opts.now ?? Date.now;
  const cronText = opts.cron.trim();

  return new Promise<void>((resolveAll) => {
    let runs = 0;
    /** True from the moment a run is started until it has ended (set before the job is called). */
    let active = false;
    let activeRun = 0;
    let stopping = false;
    let finished = false;

    const cron = new Cron(cronText, { mode: '5-or-6-parts', ...(opts.timezone ? { timezone: opts.timezone } : {}) }, () => tick());
    const nextText = () => cron.nextRun()?.toISOString() ?? 'never';

    async function runOnce(run: number): Promise<void> {
      const started = now();
      log('info', `run ${run} started`, { event: 'schedule-run-start', run });
      let status: number;
      try {
        status = await job();
        if (!Number.isInteger(status)) status = EXIT.failure;
      } catch (err) {
        status = err instanceof SyncError ? err.exitCode : EXIT.failure;
        const code = err instanceof SyncError ? err.code : 'INTERNAL';
        log('error', `run ${run} threw [${code}]: ${(err as Error)?.message ?? String(err)}`, { event: 'schedule-run-error', run, code });
      }
      const duration = now() - started;
      const word = STATUS_WORDS[status] ?? 'failed';
      const next = stopping ? '' : `; next run at ${nextText()}`;
      log(status === EXIT.ok ? 'info' : 'warn', `run ${run} ${word} (exit status ${status}) in ${seconds(duration)}${next}`, {
        event: 'schedule-run-end',
        run,
        status,
        durationMs: duration,
      });
    }

    function tick(): void {
      if (stopping) return;
      if (active) {
        log('warn', `skipped a scheduled run: run ${activeRun} is still active`, { event: 'schedule-run-skipped', run: activeRun });
        return;
      }
      activeRun = ++runs;
      active = true;
      void runOnce(activeRun).finally(() => {
        active = false;
        if (stopping) finish();
      });
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      cleanup();
      log('info', `schedule stopped after ${runs} run${runs === 1 ? '' : 's'}`, { event: 'schedule-stop', runs });
      resolveAll();
    }

    function stop(reason: string): void {
      if (stopping) {
        if (active && reason !== 'abort') {
          log('warn', `${reason} again: stopping without waiting for run ${activeRun} (its data is not committed)`, { event: 'schedule-force-stop', run: activeRun });
          finish();
        }
        return;
      }
      stopping = true;
      cron.stop();
      if (active) {
        log('info', `${reason}: stopping after run ${activeRun} finishes`, { event: 'schedule-stopping', run: activeRun });
      } else finish();
    }

    const onSigterm = () => stop('SIGTERM');
    const onSigint = () => stop('SIGINT');
    const onAbort = () => stop('abort');
    const signals = opts.handleSignals !== false;
    function cleanup(): void {
      cron.stop();
      if (signals) {
        process.off('SIGTERM', onSigterm);
        process.off('SIGINT', onSigint);
      }
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (signals) {
      process.on('SIGTERM', onSigterm);
      process.on('SIGINT', onSigint);
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    log('info', `schedule started: "${cronText}"; first run at ${nextText()}`, { event: 'schedule-start', cron: cronText });
    if (opts.signal?.aborted) stop('abort');
  });
}
